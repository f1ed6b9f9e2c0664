package dev.llmstream.core;

import dev.llmstream.core.internal.StreamBufferImpl;
import dev.llmstream.core.internal.UiConnectionImpl;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * A {@link TokenStream} connected to a {@link UiSink}: {@link #connect(TokenStream, UiSink, Executor)}
 * runs the stream through a buffer that coalesces text into batches paced by a time window (its rules:
 * {@link #buffer(Flow.Publisher, UiConfig)}) and hands each batch to the sink on the caller's executor
 * (the UI thread). {@link #buffer(Flow.Publisher, UiConfig)} alone gives the same batches to a
 * {@link Flow.Subscriber} of your own.
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
 * UiConnection c = UiConnection.connect(client.stream(request), new UiSink() {
 *   public void onTyping(boolean on) { spinner.setVisible(on); }
 *   public void onText(CharSequence batch, CharSequence full) { area.append(batch.toString()); }
 *   public void onFailed(StreamException e, ChatResponse partial) { status.setText(e.getMessage()); }
 * }, SwingUtilities::invokeLater);
 * }</pre>
 *
 * <p>JavaFX: {@code Platform::runLater}; Vaadin: {@code command -> ui.access(command::run)}; tests and
 * consoles: {@code Runnable::run} or a single-thread executor. A connection is thread-safe: every method may be called from any thread.
 */
public interface UiConnection {

  /**
   * Connects with {@link UiConfig#defaults()}: a 50 ms window on the system scheduler.
   *
   * @param stream the answer; subscribed (so the request is sent) before this returns
   * @param sink where to show it
   * @param uiExecutor the UI thread's executor
   * @return the connection: cancel it, await it, read its metrics
   * @throws NullPointerException if an argument is null (the message names it)
   */
  static UiConnection connect(TokenStream stream, UiSink sink, Executor uiExecutor) {
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
  static UiConnection connect(
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

  /**
   * The events of {@code upstream}, smoothed for a UI, for a subscriber of your own (what
   * {@link #connect} does before its sink): coalesces consecutive {@link StreamEvent.TextDelta}s (and, separately,
   * consecutive {@link StreamEvent.ReasoningDelta}s) into batches, paced by a time window, so a UI redraws
   * a few times per frame budget rather than once per token. The output is the same event type; every
   * other event passes through unchanged and in order.
   *
   * <p><b>Flush rules</b> (see {@link UiConfig}):
   * <ul>
   *   <li>Text that arrives when no batch went out during the last window is delivered at once (a
   *       leading-edge throttle): the first token of an answer, and every token of a slow model, are
   *       never delayed.
   *   <li>Otherwise text is held and released when the window has passed since the previous batch, or as
   *       soon as it reaches {@link UiConfig#maxBatchChars()}, whichever comes first. A batch cut
   *       at the size limit never splits a UTF-16 surrogate pair. With a {@link UiConfig.Boundary}
   *       a timed or size-limited batch ends on a word or line boundary when there is one; the trailing
   *       fragment is held back, but only until it is one window old.
   *   <li>Nothing waits longer than the window (given demand): text left over by a size or boundary cut
   *       goes out when its oldest character is one window old, even if a batch went out since.
   *   <li>A non-text event, a change between text and reasoning, completion and an error flush the
   *       pending text first, keeping the order. Cancelling drops what is pending.
   * </ul>
   *
   * <p><b>Backpressure and memory.</b> Each emitted item needs downstream demand. While the downstream
   * has none, text keeps coalescing into one pending batch (delivered whole when demand returns), so a
   * slow UI gets fewer, larger batches and never falls behind. The buffer requests one event at a time
   * from upstream and stops requesting while a non-text event waits for demand or the pending text
   * reaches {@link UiConfig#maxPendingChars()}; the unread data then stays upstream (in the
   * socket). The "arrival time" the buffer records for an event is when the buffer received it.
   *
   * <p><b>Lifecycle and threading.</b> Cold: each {@code subscribe} creates a new buffer and subscribes
   * it to {@code upstream} (a {@link TokenStream} is single-use, so a second subscriber receives its
   * error). Reactive Streams rules hold (TCK-verified). Signals are serial, never under a lock, on
   * the upstream's thread, the thread calling {@code request}, or the {@link StreamScheduler}'s thread
   * when a window ends. A downstream {@code onNext} that throws cancels the upstream.
   *
   * <pre>{@code
   * TokenStream answer = provider.stream(request);
   * Flow.Publisher<StreamEvent> smooth = UiConnection.buffer(answer, UiConfig.defaults());
   * smooth.subscribe(mySubscriber);
   * }</pre>
   *
   * @param upstream the stream to smooth
   * @param config how to batch, and the clock and timer for the window
   * @return the buffered publisher
   * @throws NullPointerException if an argument is null
   */
  static Flow.Publisher<StreamEvent> buffer(Flow.Publisher<? extends StreamEvent> upstream, UiConfig config) {
    return StreamBufferImpl.buffer(upstream, config);
  }

  /**
   * Stops the answer: the stream is cancelled (its network exchange aborted), nothing more is shown,
   * and the sink gets {@link UiSink#onCancelled(ChatResponse)} with what it had shown, unless it already
   * got its terminal call. Idempotent.
   *
   * @return {@code true} if this call cancelled the stream; {@code false} if it was already cancelled or
   *     had ended
   */
  boolean cancel();

  /**
   * Completes after the sink's terminal call: with the answer (also when cancelled, with finish reason
   * {@link FinishReason#CANCELLED}), or exceptionally with the {@link StreamException} handed to
   * {@link UiSink#onFailed}, or a {@link StreamException} ({@code CALLER}) if the UI executor rejected a task or the
   * sink's terminal method threw. Each call returns a new copy; completing or cancelling it has no
   * effect on the stream.
   *
   * @return the outcome
   */
  CompletableFuture<ChatResponse> done();

  /**
   * The metrics of this stream so far (final once {@link #done()} completed).
   *
   * @return a snapshot
   */
  StreamMetrics metrics();
}
