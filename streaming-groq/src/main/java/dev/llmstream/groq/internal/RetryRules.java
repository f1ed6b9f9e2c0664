package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.RateLimitException;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * When to retry a failed attempt before the first token, and how long to wait. Matches Groq's SDKs
 * ({@code x-should-retry} decides when present; else connection failures, 408, 409, 429 and 5xx; never
 * 400/401/403/404/413/422; 498 only when configured) and adds the first-token timeout. Thread-safe.
 */
public final class RetryRules {
  static final Duration INITIAL = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(8);

  private final boolean retryOn498;
  private final Duration cap;
  private final DoubleSupplier random;

  /**
   * Creates the rules.
   *
   * @param retryOn498 whether 498 (flex-tier capacity) is retried
   * @param cap the longest single delay; a server asking for more is not retried
   * @param random jitter source in [0, 1)
   */
  public RetryRules(boolean retryOn498, Duration cap, DoubleSupplier random) {
    this.retryOn498 = retryOn498;
    this.cap = cap;
    this.random = random;
  }

  /**
   * Whether {@code error} is worth another attempt.
   *
   * @param error the failure
   * @param httpStatus the status of an HTTP error response, or -1 if the failure was not one
   * @param headers that response's headers, or {@code null}
   * @return {@code true} to retry
   */
  public boolean shouldRetry(StreamException error, int httpStatus, @Nullable HttpHeaders headers) {
    if (headers != null) {
      Boolean advice = Headers.shouldRetry(headers);
      if (advice != null) {
        return advice;
      }
    }
    if (httpStatus > 0) {
      return statusRetryable(httpStatus);
    }
    if (error.kind() == ErrorKind.CONNECTION) {
      return true;
    }
    if (error.kind() == ErrorKind.TIMEOUT) {
      return error.timeoutPhase() != StreamState.STREAMING;
    }
    if (error.kind() == ErrorKind.UPSTREAM && error.status() > 0) {
      return statusRetryable(error.status());
    }
    return false;
  }

  /**
   * A first-token timeout after 2xx headers: the server took the request and its model stayed silent.
   * Sending the prompt again would double the wait (and the cost) for the same silence, so it is not
   * retried; a timeout with no response at all (a dead connection) is.
   *
   * @param error the failure
   * @param response the attempt's response headers, or {@code null} if none arrived
   * @return {@code true} if the failure must not be retried for that reason
   */
  public static boolean silentAfterHeaders(StreamException error, HttpResponse.@Nullable ResponseInfo response) {
    return error.timeoutPhase() == StreamState.WAITING_FIRST_TOKEN
        && response != null
        && response.statusCode() / 100 == 2;
  }

  private boolean statusRetryable(int status) {
    if (status == 498) {
      return retryOn498;
    }
    return status == 408 || status == 409 || status == 429 || status >= 500;
  }

  /**
   * The delay before retry number {@code retry} (1 for the first retry): the larger of the server's
   * advice and exponential backoff 0.5 s → 8 s with up to 25 % jitter, capped.
   *
   * @param retry the retry number, from 1
   * @param error the failure
   * @param headers the error response's headers, or {@code null}
   * @return the delay, or {@code null} when the server asks for a wait longer than the cap
   */
  public @Nullable Duration delay(int retry, StreamException error, @Nullable HttpHeaders headers) {
    Duration advised = null;
    if (error instanceof RateLimitException r) {
      advised = r.retryAfter();
    }
    if (advised == null && headers != null) {
      advised = Headers.retryAfter(headers);
    }
    if (advised != null && advised.compareTo(cap) > 0) {
      return null;
    }
    long base = INITIAL.toNanos() << Math.min(Math.max(retry - 1, 0), 10);
    base = Math.min(base, MAX_BACKOFF.toNanos());
    double jitter = 1 - 0.25 * Math.min(Math.max(random.getAsDouble(), 0), 1);
    Duration backoff = Duration.ofNanos((long) (base * jitter));
    Duration d = advised != null && advised.compareTo(backoff) > 0 ? advised : backoff;
    return d.compareTo(cap) > 0 ? cap : d;
  }
}
