package dev.llmstream.core;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The caller exceeded a rate limit (HTTP 429): {@link ErrorKind#RATE_LIMITED}, with the server's advised
 * delay ({@link #retryAfter()}, from the standard {@code Retry-After} header or a provider's
 * {@code retry-after-ms}). Retried before the first token when the delay is within the retry policy's cap.
 * A provider may subclass it to add its own rate-limit headers (the Groq provider's
 * {@code GroqRateLimitException} adds the {@code x-ratelimit-*} values).
 *
 * <p>See {@link StreamException} for what every stream error carries. Safe to publish between threads
 * once thrown or signalled.
 */
public class RateLimitException extends StreamException {
  private static final long serialVersionUID = 1L;

  private final transient @Nullable Duration retryAfter;

  /**
   * Creates the exception.
   *
   * @param message the server's message (no secrets)
   * @param status the HTTP status (normally 429)
   * @param requestId the provider's request id, or {@code null}
   * @param retryAfter the server's advised delay before retrying, or {@code null} when it gave none
   */
  public RateLimitException(
      String message, int status, @Nullable String requestId, @Nullable Duration retryAfter) {
    super(ErrorKind.RATE_LIMITED, message, status, requestId, null);
    this.retryAfter = retryAfter;
  }

  /**
   * The server's advised delay before retrying.
   *
   * @return the delay, or {@code null} when the server gave none
   */
  public @Nullable Duration retryAfter() {
    return retryAfter;
  }
}
