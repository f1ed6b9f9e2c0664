package dev.llmstream.core;

import java.util.concurrent.CompletableFuture;

/**
 * A stream connected to a {@link UiSink} by {@link UiStreams}. Thread-safe: every method may be called
 * from any thread.
 */
public interface UiConnection {

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
