package dev.llmstream.core.spi;

import dev.llmstream.core.StreamEvent;

/**
 * The receiving end a {@link StreamSource} writes into. Thread-safe: a source may call it from its I/O
 * thread and from timer threads. Calls after the stream ended (completed, failed or cancelled) are
 * ignored.
 */
public interface StreamEmitter {

  /**
   * Queues an event for the subscriber. The queue is bounded (it only ever holds what one pull produced
   * plus a few signals); a source that floods it fails the stream with a
   * {@link dev.llmstream.core.StreamException} ({@code LIMIT_EXCEEDED}).
   *
   * @param event the event
   */
  void next(StreamEvent event);

  /** Ends the answer to the last {@link StreamSource#pull()}; the core pulls again when needed. */
  void pullDone();

  /** The answer is complete: queued events are delivered, then {@code onComplete}. */
  void complete();

  /**
   * The stream failed: queued events are delivered, then {@code onError}. A
   * {@link dev.llmstream.core.StreamException} is delivered as it is (with the partial answer attached);
   * any other throwable is wrapped in one.
   *
   * @param error the failure
   */
  void fail(Throwable error);

  /**
   * Whether the stream was cancelled or already ended; a source may stop work early.
   *
   * @return {@code true} if no more events will be delivered
   */
  boolean isCancelled();

  /**
   * Reports the model the server says answers (named in its chunks), for the stream's
   * {@link dev.llmstream.core.StreamTrace#responseModel()}. Call it at the first token, before emitting it.
   * Only a stream {@link StreamSource#instrumented instrumented} for a listener records it; the first report
   * wins, later ones and those after the stream ended are ignored. Thread-safe and cheap; does nothing by
   * default. An emitter that wraps another forwards it.
   *
   * @param model the response model
   */
  default void responseModel(String model) {}

  /**
   * Reports that the source is sending its request again before the first token (after a rate limit or a
   * server error, say; {@link StreamSource#retryBeforeFirstToken} decided so), for the stream's
   * {@link dev.llmstream.core.StreamTrace#retries()}. Only a stream {@link StreamSource#instrumented
   * instrumented} for a listener counts it; reports after the stream ended are ignored. Thread-safe and
   * cheap; does nothing by default. An emitter that wraps another forwards it.
   */
  default void retrying() {}
}
