package dev.llmstream.groq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.RateLimitException;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.groq.GroqRateLimitException;
import dev.llmstream.groq.RateLimitInfo;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import dev.llmstream.core.internal.retry.RetryModel;
import org.junit.jupiter.api.Test;

class HeadersTest {

  static HttpHeaders headers(String... kv) {
    java.util.Map<String, List<String>> m = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], List.of(kv[i + 1]));
    }
    return HttpHeaders.of(m, (a, b) -> true);
  }

  @Test
  void goDurations() {
    assertThat(Headers.duration("2m59.56s")).isEqualTo(Duration.ofMillis(179_560));
    assertThat(Headers.duration("400ms")).isEqualTo(Duration.ofMillis(400));
    assertThat(Headers.duration("7.66s")).isEqualTo(Duration.ofMillis(7660));
    assertThat(Headers.duration("1h2m3s")).isEqualTo(Duration.ofSeconds(3723));
    assertThat(Headers.duration("12")).isEqualTo(Duration.ofSeconds(12));
    assertThat(Headers.duration("soon")).isNull();
    assertThat(Headers.duration("5x")).isNull();
    assertThat(Headers.duration(null)).isNull();
  }

  @Test
  void rateLimitHeaders() {
    RateLimitInfo info =
        Headers.rateLimit(
            headers(
                "x-ratelimit-limit-requests", "14400",
                "x-ratelimit-remaining-requests", "14370",
                "x-ratelimit-reset-requests", "2m59.56s",
                "x-ratelimit-limit-tokens", "18000",
                "x-ratelimit-remaining-tokens", "17997",
                "x-ratelimit-reset-tokens", "7.66s",
                "retry-after", "2"));
    assertThat(info)
        .isEqualTo(
            new RateLimitInfo(14400L, 14370L, Duration.ofMillis(179_560), 18000L, 17997L,
                Duration.ofMillis(7660), Duration.ofSeconds(2)));
  }

  @Test
  void retryAfterForms() {
    assertThat(Headers.retryAfter(headers("retry-after-ms", "1500", "retry-after", "9"))).isEqualTo(Duration.ofMillis(1500));
    assertThat(Headers.retryAfter(headers("retry-after", "3"))).isEqualTo(Duration.ofSeconds(3));
    assertThat(Headers.retryAfter(headers(
        "retry-after", "Wed, 21 Oct 2015 07:28:30 GMT", "date", "Wed, 21 Oct 2015 07:28:00 GMT")))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(Headers.retryAfter(headers("retry-after", "Wed, 21 Oct 2015 07:28:30 GMT"))).isNull();
    assertThat(Headers.retryAfter(headers())).isNull();
  }

  private static boolean retried(StreamException e, int status, HttpHeaders h, boolean retryOn498) {
    return RetryModel.retryBeforeFirstToken(failure(e, status, h), retryOn498);
  }

  /** What the provider tells the core's retry model (StreamSource.failedTry builds the model's own type). */
  private static RetryModel.AttemptFailure failure(StreamException e, int status, HttpHeaders h) {
    return (RetryModel.AttemptFailure) Failures.attemptFailure(e, status, h, false, null);
  }

  private static RandomGenerator fixed(double value) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public double nextDouble() {
        return value;
      }
    };
  }

  private static Duration delay(Duration cap, double random, int retry, StreamException e, HttpHeaders h) {
    RetryModel.RetrySettings settings = new RetryModel.RetrySettings(
        2, false, cap, new RetryModel.Backoff(Duration.ofMillis(500), Duration.ofSeconds(8), 0.25, false));
    return RetryModel.retryDelay(
        settings, retry, failure(e, -1, h).advisedDelay(), fixed(random));
  }

  @Test
  void retryRules() {
    var e500 = new dev.llmstream.core.StreamException(dev.llmstream.core.ErrorKind.SERVER, "x", 500, null, null);
    assertThat(retried(e500, 500, headers(), false)).isTrue();
    assertThat(retried(e500, 500, headers("x-should-retry", "false"), false)).isFalse();
    var e400 = new StreamException(ErrorKind.BAD_REQUEST, "x", 400, null, null);
    assertThat(retried(e400, 400, headers(), false)).isFalse();
    assertThat(retried(e400, 400, headers("x-should-retry", "true"), false)).isTrue();
    for (int s : new int[] {400, 401, 403, 404, 413, 422, 498}) {
      assertThat(retried(e400, s, headers(), false)).as("status %d", s).isFalse();
    }
    for (int s : new int[] {408, 409, 429, 500, 502, 503, 504}) {
      assertThat(retried(e500, s, headers(), false)).as("status %d", s).isTrue();
    }
    assertThat(retried(e500, 498, headers(), true)).isTrue();
    assertThat(retried(new StreamException(ErrorKind.CONNECTION, "x", -1, null, null), -1, null, false)).isTrue();
    assertThat(retried(StreamException.timeout(StreamState.WAITING_FIRST_TOKEN, Duration.ofSeconds(1), null, null), -1, null, false)).isTrue();
    assertThat(retried(StreamException.timeout(StreamState.STREAMING, Duration.ofSeconds(1), null, null), -1, null, false)).isFalse();
    assertThat(retried(new StreamException(ErrorKind.PROTOCOL, "x", 200, null, null), -1, null, false)).isFalse();
  }

  @Test
  void backoffAndAdvice() {
    Duration minute = Duration.ofSeconds(60);
    var e = new dev.llmstream.core.StreamException(dev.llmstream.core.ErrorKind.SERVER, "x", 500, null, null);
    assertThat(delay(minute, 0, 1, e, headers())).isEqualTo(Duration.ofMillis(500));
    assertThat(delay(minute, 0, 2, e, headers())).isEqualTo(Duration.ofSeconds(1));
    assertThat(delay(minute, 0, 5, e, headers())).isEqualTo(Duration.ofSeconds(8));
    assertThat(delay(minute, 0, 9, e, headers())).isEqualTo(Duration.ofSeconds(8));
    assertThat(delay(minute, 1, 1, e, headers())).isEqualTo(Duration.ofMillis(375));
    // the larger of advice and backoff
    assertThat(delay(minute, 0, 1, e, headers("retry-after", "3"))).isEqualTo(Duration.ofSeconds(3));
    assertThat(delay(minute, 0, 5, e, headers("retry-after-ms", "100"))).isEqualTo(Duration.ofSeconds(8));
    // advice above the cap: no retry
    assertThat(delay(minute, 0, 1, e, headers("retry-after", "61"))).isNull();
    RateLimitException rl = new GroqRateLimitException("x", 429, null,
        new RateLimitInfo(null, null, null, null, null, null, Duration.ofSeconds(4)));
    assertThat(delay(minute, 0, 1, rl, null)).isEqualTo(Duration.ofSeconds(4));
    assertThat(delay(Duration.ofMillis(700), 0, 4, e, headers())).isEqualTo(Duration.ofMillis(700));
  }

  @Test
  void errorBodiesKeepTheServerMessage() {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    byte[] body = "{\"error\":{\"message\":\"The model `nope` does not exist\",\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    var ex = HttpErrors.forStatus(mapper, 404, headers("x-request-id", "req_1"), body, body.length, "nope");
    assertThat(ex).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.BAD_REQUEST);
    assertThat(ex.getMessage()).contains("The model `nope` does not exist").contains("HTTP 404");
    assertThat(ex.requestId()).isEqualTo("req_1");
    assertThat(ex.status()).isEqualTo(404);
    byte[] huge = ("{\"error\":{\"message\":\"" + "x".repeat(5000) + "\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(HttpErrors.forStatus(mapper, 400, headers(), huge, huge.length, "m").getMessage().length()).isLessThan(800);
    assertThat(Map.of()).isEmpty();
  }
}
