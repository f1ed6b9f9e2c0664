package dev.llmstream.core;

/**
 * Observes every stream of a provider, whether or not a UI is attached: the hook that metric bridges
 * (module {@code streaming-micrometer}), tracing and log lines build on. Attach one with the provider's
 * builder (for Groq, {@code GroqProvider.Builder.listener(..)}); a provider without a listener does no
 * instrumentation work at all.
 *
 * <p>Every method does nothing unless overridden, and receives the stream's {@link StreamTrace}: its
 * attributes (provider, models, request id, server address, outcome, attempts) and timings, all from
 * the provider's injected {@link StreamScheduler}. For one stream the calls come in this order:
 * {@link #onRequestSent}, then {@link #onHeaders} per HTTP attempt, {@link #onFirstChunk} once,
 * {@link #onChunk} for each later content chunk, {@link #onCancelRequested} at most once, and
 * {@link #onEnd} exactly once (never anything after it).
 *
 * <p><b>Threading.</b> Calls come from the stream's I/O thread, a timer thread or the thread that
 * cancelled, never under a lock of the library. They are serial for one stream except when the caller
 * stops it: {@link #onCancelRequested} and {@link #onEnd} then run on the cancelling thread and may
 * overlap a chunk callback already running on the I/O thread (nothing starts after {@code onEnd}
 * began). One listener
 * serves all streams of a provider, so it is called concurrently and must be thread-safe. It must not
 * block: it runs on the path of every token. A listener that throws is logged and ignored; the stream is
 * not affected.
 */
public interface StreamListener {

  /**
   * The stream was subscribed and its request is being sent.
   *
   * @param trace the stream
   */
  default void onRequestSent(StreamTrace trace) {}

  /**
   * Response headers of an HTTP attempt arrived ({@link StreamTrace#requestId()} is now known when the
   * server sends one). Providers report this through a {@link StreamEvent.Waiting} event; a provider
   * configured not to emit those reports no headers.
   *
   * @param trace the stream
   */
  default void onHeaders(StreamTrace trace) {}

  /**
   * The first content chunk (text, reasoning or a tool-call fragment) arrived.
   *
   * @param trace the stream; {@link StreamTrace#timeToFirstChunk()} is set
   */
  default void onFirstChunk(StreamTrace trace) {}

  /**
   * A content chunk after the first arrived.
   *
   * @param trace the stream
   * @param sincePreviousNanos the time since the previous content chunk arrived
   */
  default void onChunk(StreamTrace trace, long sincePreviousNanos) {}

  /**
   * A new attempt starts after the connection broke mid-answer ({@link StreamEvent.Recovering}).
   *
   * @param trace the stream
   */
  default void onRecovering(StreamTrace trace) {}

  /**
   * The caller asked to stop the stream (its {@link CancellationToken} or its subscription was
   * cancelled) before it ended. {@link #onEnd} follows with the outcome and the cancel latency.
   *
   * @param trace the stream
   */
  default void onCancelRequested(StreamTrace trace) {}

  /**
   * The stream ended: completed, failed or cancelled. {@link StreamTrace#outcome()} and the timings are
   * final.
   *
   * @param trace the stream
   */
  default void onEnd(StreamTrace trace) {}
}
