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

  @Test
  void retryRules() {
    RetryRules rules = new RetryRules(false, Duration.ofSeconds(60), () -> 0.0);
    var e500 = new dev.llmstream.core.StreamException(dev.llmstream.core.ErrorKind.SERVER, "x", 500, null, null);
    assertThat(rules.shouldRetry(e500, 500, headers())).isTrue();
    assertThat(rules.shouldRetry(e500, 500, headers("x-should-retry", "false"))).isFalse();
    var e400 = new StreamException(ErrorKind.BAD_REQUEST, "x", 400, null, null);
    assertThat(rules.shouldRetry(e400, 400, headers())).isFalse();
    assertThat(rules.shouldRetry(e400, 400, headers("x-should-retry", "true"))).isTrue();
    for (int s : new int[] {400, 401, 403, 404, 413, 422, 498}) {
      assertThat(rules.shouldRetry(e400, s, headers())).as("status %d", s).isFalse();
    }
    for (int s : new int[] {408, 409, 429, 500, 502, 503, 504}) {
      assertThat(rules.shouldRetry(e500, s, headers())).as("status %d", s).isTrue();
    }
    assertThat(new RetryRules(true, Duration.ofSeconds(60), () -> 0).shouldRetry(e500, 498, headers())).isTrue();
    assertThat(rules.shouldRetry(new StreamException(ErrorKind.CONNECTION, "x", -1, null, null), -1, null)).isTrue();
    assertThat(rules.shouldRetry(StreamException.timeout(StreamState.WAITING_FIRST_TOKEN, Duration.ofSeconds(1), null, null), -1, null)).isTrue();
    assertThat(rules.shouldRetry(StreamException.timeout(StreamState.STREAMING, Duration.ofSeconds(1), null, null), -1, null)).isFalse();
    assertThat(rules.shouldRetry(new StreamException(ErrorKind.PROTOCOL, "x", 200, null, null), -1, null)).isFalse();
  }

  @Test
  void backoffAndAdvice() {
    RetryRules noJitter = new RetryRules(false, Duration.ofSeconds(60), () -> 0.0);
    var e = new dev.llmstream.core.StreamException(dev.llmstream.core.ErrorKind.SERVER, "x", 500, null, null);
    assertThat(noJitter.delay(1, e, headers())).isEqualTo(Duration.ofMillis(500));
    assertThat(noJitter.delay(2, e, headers())).isEqualTo(Duration.ofSeconds(1));
    assertThat(noJitter.delay(5, e, headers())).isEqualTo(Duration.ofSeconds(8));
    assertThat(noJitter.delay(9, e, headers())).isEqualTo(Duration.ofSeconds(8));
    RetryRules fullJitter = new RetryRules(false, Duration.ofSeconds(60), () -> 1.0);
    assertThat(fullJitter.delay(1, e, headers())).isEqualTo(Duration.ofMillis(375));
    // the larger of advice and backoff
    assertThat(noJitter.delay(1, e, headers("retry-after", "3"))).isEqualTo(Duration.ofSeconds(3));
    assertThat(noJitter.delay(5, e, headers("retry-after-ms", "100"))).isEqualTo(Duration.ofSeconds(8));
    // advice above the cap: no retry
    assertThat(noJitter.delay(1, e, headers("retry-after", "61"))).isNull();
    RateLimitException rl = new GroqRateLimitException("x", 429, null,
        new RateLimitInfo(null, null, null, null, null, null, Duration.ofSeconds(4)));
    assertThat(noJitter.delay(1, rl, null)).isEqualTo(Duration.ofSeconds(4));
    RetryRules smallCap = new RetryRules(false, Duration.ofMillis(700), () -> 0.0);
    assertThat(smallCap.delay(4, e, headers())).isEqualTo(Duration.ofMillis(700));
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
