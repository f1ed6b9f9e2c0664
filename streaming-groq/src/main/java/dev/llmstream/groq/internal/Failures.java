package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.RateLimitException;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.spi.StreamSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Maps what the HTTP client throws to the typed stream errors, and a failed attempt to what the retry
 * model needs to decide on it. Stateless.
 */
final class Failures {
  private Failures() {
    throw new AssertionError("no instances");
  }

  static StreamException map(
      GroqConfig config, Throwable t, HttpResponse.@Nullable ResponseInfo response, @Nullable String requestId) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof StreamException se) {
      return se;
    }
    String host = config.endpoint().getHost() + ":" + config.endpoint().getPort();
    if (c instanceof HttpConnectTimeoutException) {
      return StreamException.timeout(StreamState.CONNECTING, config.connectTimeout(), null, c);
    }
    if (c instanceof HttpTimeoutException) {
      return StreamException.timeout(
          StreamState.WAITING_FIRST_TOKEN, config.firstTokenTimeout(), requestId, c);
    }
    if (c instanceof ConnectException) {
      return new StreamException(
          ErrorKind.CONNECTION,
          "Could not connect to " + host + ": " + c.getMessage(), StreamException.NO_STATUS, null, c);
    }
    if (c instanceof IOException || c instanceof CancellationException) {
      return new StreamException(
          ErrorKind.CONNECTION,
          "The connection to " + host + " failed: " + c,
          response == null ? StreamException.NO_STATUS : response.statusCode(),
          requestId,
          c);
    }
    return new StreamException(
        ErrorKind.UNKNOWN, "The HTTP exchange failed unexpectedly: " + c, StreamException.NO_STATUS, requestId, c);
  }

  /**
   * What the retry model needs to know about a failed attempt: the server's {@code x-should-retry} and
   * {@code retry-after-ms}/{@code retry-after} (or a rate-limit error's advice), and how far it got.
   *
   * @param error the failure
   * @param httpStatus the status of an HTTP error response, or -1 if the failure was not one
   * @param headers that response's headers, or {@code null}
   * @param afterFirstToken whether a token had arrived
   * @param response the attempt's response headers, or {@code null} if none arrived
   * @return the description ({@link StreamSource#failedTry})
   */
  static Exception attemptFailure(
      StreamException error,
      int httpStatus,
      @Nullable HttpHeaders headers,
      boolean afterFirstToken,
      HttpResponse.@Nullable ResponseInfo response) {
    Duration advised = error instanceof RateLimitException r ? r.retryAfter() : null;
    if (advised == null && headers != null) {
      advised = Headers.retryAfter(headers);
    }
    return StreamSource.failedTry(error, httpStatus, headers == null ? null : Headers.shouldRetry(headers),
        advised, afterFirstToken, response != null && response.statusCode() / 100 == 2);
  }
}
