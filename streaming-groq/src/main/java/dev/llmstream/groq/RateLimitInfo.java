package dev.llmstream.groq;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of Groq's (OpenAI-style) rate-limit headers for one response ({@code x-ratelimit-limit-requests},
 * {@code x-ratelimit-remaining-tokens}, {@code x-ratelimit-reset-requests} as durations such as
 * {@code 2m59.56s}, ...). Each value is {@code null} when the header was absent or unreadable.
 * Immutable and thread-safe.
 *
 * @param limitRequests requests allowed per window
 * @param remainingRequests requests left in the window
 * @param resetRequests time until the request window resets
 * @param limitTokens tokens allowed per window
 * @param remainingTokens tokens left in the window
 * @param resetTokens time until the token window resets
 * @param retryAfter the server's advised wait before retrying ({@code retry-after-ms} or
 *     {@code retry-after}), or {@code null}
 */
public record RateLimitInfo(
    @Nullable Long limitRequests,
    @Nullable Long remainingRequests,
    @Nullable Duration resetRequests,
    @Nullable Long limitTokens,
    @Nullable Long remainingTokens,
    @Nullable Duration resetTokens,
    @Nullable Duration retryAfter) {

  /** A snapshot with no values. */
  public static final RateLimitInfo NONE = new RateLimitInfo(null, null, null, null, null, null, null);
}
