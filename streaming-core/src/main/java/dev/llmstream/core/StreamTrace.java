package dev.llmstream.core;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One stream as a {@link StreamListener} sees it: its attributes and its timings so far. The stream
 * runtime updates it as the answer arrives; a listener only reads it. Reads are thread-safe (each
 * accessor returns a consistent value; two accessors may see different moments while the stream runs).
 * After {@link StreamListener#onEnd} nothing changes any more.
 *
 * <p>All times come from the provider's injected {@link StreamScheduler} and are measured from the
 * request being sent ({@link StreamListener#onRequestSent}). The trace holds neither the prompt nor the
 * answer text, and no secret: its {@code toString()} is safe to log. Of its attributes, only the
 * low-cardinality ones (provider, models, server address, outcome, error kind) are fit for metric tags;
 * the request id is for logs and traces.
 */
public interface StreamTrace {

  /**
   * The provider, as the OpenTelemetry {@code gen_ai.provider.name} attribute names it ({@code groq}).
   *
   * @return the provider name
   */
  String providerName();

  /**
   * The model named in the request (or the provider's default model).
   *
   * @return the requested model
   */
  String requestModel();

  /**
   * The model the server says answered, once a chunk named it.
   *
   * @return the response model, or {@code null} if not known (yet)
   */
  @Nullable String responseModel();

  /**
   * The server's request id of the latest attempt (for logs; never a metric tag).
   *
   * @return the request id, or {@code null} if the server sent none (yet)
   */
  @Nullable String requestId();

  /**
   * The host the requests go to.
   *
   * @return the server address, or {@code null} if unknown
   */
  @Nullable String serverAddress();

  /**
   * The port the requests go to.
   *
   * @return the port, or -1 if unknown
   */
  int serverPort();

  /**
   * How the stream ended: {@link StreamState#COMPLETED}, {@link StreamState#CANCELLED} or
   * {@link StreamState#FAILED}.
   *
   * @return the final state, or {@code null} while the stream runs
   */
  @Nullable StreamState finalState();

  /**
   * The outcome as the {@code llmstream.streams} metric tags it: {@code running} until the end, then
   * {@code completed}, {@code recovered} (completed after at least one mid-answer recovery),
   * {@code cancelled} or {@code failed}.
   *
   * @return the outcome
   */
  String outcome();

  /**
   * The kind of failure.
   *
   * @return the kind, or {@code null} unless the stream failed
   */
  @Nullable ErrorKind errorKind();

  /**
   * The failure, for a tracing span or a log (its message carries no secret: see
   * {@link StreamException}).
   *
   * @return the error the stream failed with, or {@code null} unless it failed
   */
  @Nullable Throwable error();

  /**
   * HTTP attempts made: 1 + {@link #retries()} + {@link #recoveries()}.
   *
   * @return the attempts
   */
  int attempts();

  /**
   * New attempts the provider made before the answer started (after a rate limit or a server error).
   *
   * @return the retries
   */
  int retries();

  /**
   * Resumptions after a broken connection ({@link StreamEvent.Recovering} events).
   *
   * @return the recoveries
   */
  int recoveries();

  /**
   * Content chunks received (text, reasoning and tool-call fragments).
   *
   * @return the chunks
   */
  long chunks();

  /**
   * The latest token usage the provider reported.
   *
   * @return the usage, or {@code null} if none was reported
   */
  @Nullable Usage usage();

  /**
   * From the request being sent to the latest response headers.
   *
   * @return the time, or {@code null} before any headers
   */
  @Nullable Duration timeToHeaders();

  /**
   * From the request being sent to the first content chunk.
   *
   * @return the time to first chunk, or {@code null} before it
   */
  @Nullable Duration timeToFirstChunk();

  /**
   * From the request being sent to the end, or to now while the stream runs.
   *
   * @return the duration
   */
  Duration duration();

  /**
   * From the cancel request to the stream's end.
   *
   * @return the cancel latency, or {@code null} if no cancel was requested before the end (or the
   *     stream has not ended yet)
   */
  @Nullable Duration cancelLatency();

  /**
   * The generation rate, counted from the first chunk: {@code (chunks - 1)} intervals over the time from
   * the first to the last chunk. The wait for the first chunk is not part of it (that is
   * {@link #timeToFirstChunk()}).
   *
   * @return chunks per second, 0 with fewer than two chunks
   */
  double chunksPerSecond();
}
