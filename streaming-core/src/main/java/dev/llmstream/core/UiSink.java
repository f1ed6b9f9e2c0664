package dev.llmstream.core;

/**
 * Puts one answer on screen. Implement {@link #onText(CharSequence, CharSequence)}; every other method
 * does nothing unless overridden. Connect a sink to a stream with
 * {@link UiConnection#connect}.
 *
 * <p><b>Threading.</b> Every method is called on the executor given to {@code connect} (the UI thread),
 * one call at a time, never concurrently. Methods must not block.
 *
 * <p><b>Order and lifecycle.</b> {@link #onStart()} and {@code onTyping(true)} come first; then, in the
 * order of the answer, text and reasoning batches (each followed by {@link #onProgress(Progress)}), tool
 * call fragments, {@link #onRecovering} and {@link #onReplaced}; {@code onTyping(false)} comes before the
 * first content and before the end. Exactly one of {@link #onCompleted}, {@link #onCancelled} and
 * {@link #onFailed} ends it, and no method is called after that.
 *
 * <p><b>Failures.</b> If a method throws, the stream is cancelled (its network exchange aborted) and the
 * sink gets one {@link #onFailed} call with a {@link StreamException} ({@code CALLER}) whose cause is the thrown
 * exception, then nothing more. If the terminal method itself throws, the exception is logged and
 * {@link UiConnection#done()} fails with a {@link StreamException} ({@code CALLER}).
 *
 * <p><b>Text without O(n²) copying.</b> {@code fullText} is a live, read-only view of the answer so far:
 * reading it costs nothing until you copy it. It is valid on the UI executor; keep
 * {@code fullText.toString()} if you need it elsewhere. An incremental UI appends {@code batch}; a
 * re-rendering one (Markdown) reads {@code fullText} at most once per batch, which the buffer paces.
 *
 * <pre>{@code
 * JTextArea area = new JTextArea();
 * UiConnection c = UiConnection.connect(
 *     client.stream(request),
 *     (batch, fullText) -> area.append(batch.toString()),
 *     SwingUtilities::invokeLater);
 * stopButton.addActionListener(e -> c.cancel());
 * }</pre>
 */
@FunctionalInterface
public interface UiSink {

  /**
   * A batch of answer text arrived.
   *
   * @param batch the new text (one or more tokens, coalesced)
   * @param fullText the answer so far, {@code batch} included (live view, no copy)
   */
  void onText(CharSequence batch, CharSequence fullText);

  /** The request is about to be sent. Called once, first. */
  default void onStart() {}

  /**
   * Show or hide a typing indicator: on when the request is sent (and again when a new attempt starts
   * after an interruption), off on the first content and before the end.
   *
   * @param typing {@code true} to show the indicator
   */
  default void onTyping(boolean typing) {}

  /**
   * A batch of reasoning ("thinking") text arrived.
   *
   * @param batch the new reasoning text
   * @param fullReasoning the reasoning so far (live view, no copy)
   */
  default void onReasoning(CharSequence batch, CharSequence fullReasoning) {}

  /**
   * A fragment of a tool call arrived; {@link #onCompleted} carries the joined calls.
   *
   * @param fragment the fragment
   */
  default void onToolCall(StreamEvent.ToolCallDelta fragment) {}

  /**
   * Progress after a batch.
   *
   * @param progress tokens, characters, elapsed time, rate and share of the token limit
   */
  default void onProgress(Progress progress) {}

  /**
   * The connection broke and the stream is resuming (show "connection lost, resuming…").
   *
   * @param attempt the recovery attempt, from 1
   * @param cause a short, displayable description
   */
  default void onRecovering(int attempt, String cause) {}

  /**
   * What was shown is replaced: redraw the answer from these values; later batches append to them.
   *
   * @param text the answer text that stands from now on
   * @param reasoning the reasoning that stands from now on (may be empty)
   */
  default void onReplaced(CharSequence text, CharSequence reasoning) {}

  /**
   * The answer is complete. Terminal.
   *
   * @param response the whole answer
   */
  default void onCompleted(ChatResponse response) {}

  /**
   * The answer was stopped, through {@link UiConnection#cancel()} or the stream's
   * {@link CancellationToken}. Terminal.
   *
   * @param partial what was shown, with finish reason {@link FinishReason#CANCELLED}
   */
  default void onCancelled(ChatResponse partial) {}

  /**
   * The stream failed, or this sink threw. Terminal.
   *
   * @param error the failure; {@link StreamException#getMessage()} is displayable and
   *     {@link StreamException#kind()} tells what happened ({@link ErrorKind#CALLER} when this sink threw)
   * @param partial what was shown, with finish reason {@link FinishReason#ERROR}
   */
  default void onFailed(StreamException error, ChatResponse partial) {}
}
