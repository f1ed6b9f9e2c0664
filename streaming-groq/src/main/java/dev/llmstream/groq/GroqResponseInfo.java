package dev.llmstream.groq;

import dev.llmstream.groq.RateLimitInfo;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one HTTP response told about the caller's standing: status, request id and the rate-limit
 * snapshot parsed from Groq's {@code x-ratelimit-*} headers. Delivered to the listener set with
 * {@link GroqProvider.Builder#onResponse(java.util.function.Consumer)} for every response, including
 * error responses and each retry attempt. Immutable and thread-safe.
 *
 * @param status the HTTP status
 * @param requestId Groq's {@code x-request-id}, or {@code null}
 * @param rateLimit the rate-limit headers ({@link RateLimitInfo#NONE} values where absent)
 * @param model the model the request named
 * @param attempt the attempt number within one stream, from 1 (retries count up)
 */
public record GroqResponseInfo(
    int status, @Nullable String requestId, RateLimitInfo rateLimit, String model, int attempt) {

  /**
   * Validates the components.
   *
   * @param status the HTTP status
   * @param requestId Groq's {@code x-request-id}, or {@code null}
   * @param rateLimit the rate-limit headers ({@link RateLimitInfo#NONE} values where absent)
   * @param model the model the request named
   * @param attempt the attempt number within one stream, from 1 (retries count up)
   */
  public GroqResponseInfo {
    Objects.requireNonNull(rateLimit, "rateLimit");
    Objects.requireNonNull(model, "model");
  }
}
