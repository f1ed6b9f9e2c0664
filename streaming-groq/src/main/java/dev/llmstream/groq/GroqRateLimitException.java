package dev.llmstream.groq;

import dev.llmstream.core.RateLimitException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RateLimitException} from Groq (or another OpenAI-compatible server), with the parsed
 * {@code x-ratelimit-*} headers of the rejected response ({@link #rateLimit()}). Catch
 * {@code RateLimitException} to handle any provider's rate limit; cast to this type for Groq's
 * per-window counters. Safe to publish between threads once thrown or signalled.
 */
public final class GroqRateLimitException extends RateLimitException {
  private static final long serialVersionUID = 1L;

  private final transient RateLimitInfo rateLimit;

  /**
   * Creates the exception.
   *
   * @param message the server's message (no secrets)
   * @param status the HTTP status (normally 429)
   * @param requestId the provider's request id, or {@code null}
   * @param rateLimit the parsed rate-limit headers; its {@code retryAfter} becomes {@link #retryAfter()}
   * @throws NullPointerException if {@code rateLimit} is null
   */
  public GroqRateLimitException(
      String message, int status, @Nullable String requestId, RateLimitInfo rateLimit) {
    super(message, status, requestId, Objects.requireNonNull(rateLimit, "rateLimit").retryAfter());
    this.rateLimit = rateLimit;
  }

  /**
   * The rate-limit headers of the rejected response.
   *
   * @return the snapshot
   */
  public RateLimitInfo rateLimit() {
    return rateLimit;
  }
}
