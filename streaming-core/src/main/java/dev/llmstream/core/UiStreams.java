package dev.llmstream.core;

import dev.llmstream.core.internal.UiConnectionImpl;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Connects a {@link TokenStream} to a {@link UiSink}: the stream runs through a {@link StreamBuffer}
 * and each batch is handed to the sink on the caller's executor (the UI thread).
 *
 * <p>What {@code connect} guarantees:
 * <ul>
 *   <li>The sink is called serially on {@code uiExecutor}, in the order of the answer, and never after
 *       its terminal call (exactly one of {@code onCompleted}, {@code onCancelled}, {@code onFailed}).
 *   <li>A slow UI gets fewer, larger batches: at most one batch waits for the UI thread, the buffer
 *       coalesces text meanwhile, and text that is ready when the UI thread gets to a batch joins it, so
 *       a UI that runs late gets one update per turn (memory stays bounded; a very slow UI stops the
 *       reading from the network).
 *   <li>The hop to {@code uiExecutor} never blocks. If it rejects a task, the stream is cancelled, the
 *       sink gets no further call and {@link UiConnection#done()} fails with a {@link StreamException} ({@code CALLER}).
 *   <li>If a sink method throws, the stream is cancelled and the sink gets one {@code onFailed} with a
 *       {@link StreamException} ({@code CALLER}) and the partial answer.
 *   <li>Requesting the next batch happens on the UI thread; it does no blocking work (it may run the
 *       buffer's and the stream's non-blocking hand-off code).
 * </ul>
 *
 * <pre>{@code
 * UiConnection c = UiStreams.connect(client.stream(request), new UiSink() {
 *   public void onTyping(boolean on) { spinner.setVisible(on); }
 *   public void onText(CharSequence batch, CharSequence full) { area.append(batch.toString()); }
 *   public void onFailed(StreamException e, ChatResponse partial) { status.setText(e.getMessage()); }
 * }, SwingUtilities::invokeLater);
 * }</pre>
 *
 * <p>JavaFX: {@code Platform::runLater}; Vaadin: {@code command -> ui.access(command::run)}; tests and
 * consoles: {@code Runnable::run} or a single-thread executor. Thread-safe; holds no state.
 */
public final class UiStreams {
  private UiStreams() {
    throw new AssertionError("no instances");
  }

  /**
   * Connects with {@link UiConfig#defaults()}: a 50 ms window on the system scheduler.
   *
   * @param stream the answer; subscribed (so the request is sent) before this returns
   * @param sink where to show it
   * @param uiExecutor the UI thread's executor
   * @return the connection: cancel it, await it, read its metrics
   * @throws NullPointerException if an argument is null (the message names it)
   */
  public static UiConnection connect(TokenStream stream, UiSink sink, Executor uiExecutor) {
    return connect(stream, sink, uiExecutor, UiConfig.defaults());
  }

  /**
   * Connects with the given configuration.
   *
   * @param stream the answer; subscribed (so the request is sent) before this returns
   * @param sink where to show it
   * @param uiExecutor the UI thread's executor
   * @param config the buffer, scheduler, metrics listener and token limit
   * @return the connection: cancel it, await it, read its metrics
   * @throws NullPointerException if an argument is null (the message names it)
   */
  public static UiConnection connect(
      TokenStream stream, UiSink sink, Executor uiExecutor, UiConfig config) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(uiExecutor, "uiExecutor");
    Objects.requireNonNull(config, "config");
    UiConnectionImpl adapter =
        new UiConnectionImpl(sink, uiExecutor, config);
    adapter.connect(stream);
    return adapter;
  }
}
