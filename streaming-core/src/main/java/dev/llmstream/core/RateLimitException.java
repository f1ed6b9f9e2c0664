package dev.llmstream.core;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The caller exceeded a rate limit (HTTP 429). {@link #rateLimit()} holds the parsed {@code x-ratelimit-*}
 * headers and {@link #retryAfter()} the server's advised delay. Retried before the first token when the
 * delay is within the retry policy's cap.
 *
 * <p>See {@link StreamException} for what every stream error carries.
 */
public class RateLimitException extends StreamException {
  private static final long serialVersionUID = 1L;

  private final transient RateLimitInfo rateLimit;

  /**
   * Creates the exception.
   *
   * @param message the server's message (no secrets)
   * @param status the HTTP status (normally 429)
   * @param requestId the provider's request id, or {@code null}
   * @param rateLimit the parsed rate-limit headers
   */
  public RateLimitException(
      String message, int status, @Nullable String requestId, RateLimitInfo rateLimit) {
    super(ErrorKind.RATE_LIMITED, message, status, requestId, null);
    this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
  }

  /**
   * The rate-limit headers of the rejected response.
   *
   * @return the snapshot
   */
  public RateLimitInfo rateLimit() {
    return rateLimit;
  }

  /**
   * The server's advised delay before retrying.
   *
   * @return the delay, or {@code null} when the server gave none
   */
  public @Nullable Duration retryAfter() {
    return rateLimit.retryAfter();
  }
}
