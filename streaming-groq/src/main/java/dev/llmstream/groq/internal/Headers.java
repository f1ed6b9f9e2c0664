package dev.llmstream.groq.internal;

import dev.llmstream.groq.RateLimitInfo;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Parses Groq's response headers: rate limits, retry advice, request id. Stateless. */
public final class Headers {
  private Headers() {
    throw new AssertionError("no instances");
  }

  /**
   * The request id ({@code x-request-id}).
   *
   * @param headers the response headers
   * @return the id, or {@code null}
   */
  public static @Nullable String requestId(HttpHeaders headers) {
    return headers.firstValue("x-request-id").orElse(null);
  }

  /**
   * Reads the {@code x-ratelimit-*} and retry headers.
   *
   * @param headers the response headers
   * @return the snapshot (values {@code null} where absent or unreadable)
   */
  public static RateLimitInfo rateLimit(HttpHeaders headers) {
    return new RateLimitInfo(
        longValue(headers.firstValue("x-ratelimit-limit-requests")),
        longValue(headers.firstValue("x-ratelimit-remaining-requests")),
        duration(headers.firstValue("x-ratelimit-reset-requests").orElse(null)),
        longValue(headers.firstValue("x-ratelimit-limit-tokens")),
        longValue(headers.firstValue("x-ratelimit-remaining-tokens")),
        duration(headers.firstValue("x-ratelimit-reset-tokens").orElse(null)),
        retryAfter(headers));
  }

  /**
   * The server's retry advice: {@code retry-after-ms}, else {@code retry-after} in seconds or as an
   * HTTP date (measured against the response's {@code Date} header; without one the date is ignored).
   *
   * @param headers the response headers
   * @return the delay, or {@code null} when none is given or readable
   */
  public static @Nullable Duration retryAfter(HttpHeaders headers) {
    Optional<String> ms = headers.firstValue("retry-after-ms");
    if (ms.isPresent()) {
      try {
        double v = Double.parseDouble(ms.get().trim());
        if (v >= 0 && v < 1e12) {
          return Duration.ofNanos(Math.round(v * 1_000_000));
        }
      } catch (NumberFormatException ignored) {
        // fall through to retry-after
      }
    }
    Optional<String> ra = headers.firstValue("retry-after");
    if (ra.isEmpty()) {
      return null;
    }
    String v = ra.get().trim();
    try {
      double s = Double.parseDouble(v);
      return s >= 0 && s < 1e9 ? Duration.ofNanos(Math.round(s * 1e9)) : null;
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Optional<String> date = headers.firstValue("date");
        if (date.isEmpty()) {
          return null;
        }
        ZonedDateTime now = ZonedDateTime.parse(date.get().trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(now, at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException e) {
        return null;
      }
    }
  }

  /**
   * Whether {@code x-should-retry} is present, and its value.
   *
   * @param headers the response headers
   * @return {@code TRUE}/{@code FALSE}, or {@code null} when absent or unreadable
   */
  public static @Nullable Boolean shouldRetry(HttpHeaders headers) {
    String v = headers.firstValue("x-should-retry").orElse(null);
    if (v == null) {
      return null;
    }
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true":
        return Boolean.TRUE;
      case "false":
        return Boolean.FALSE;
      default:
        return null;
    }
  }

  /**
   * Parses a Go-style duration as Groq sends in reset headers: {@code 2m59.56s}, {@code 400ms},
   * {@code 1h2m3s}, {@code 7.66s}, or a plain number of seconds.
   *
   * @param value the header value
   * @return the duration, or {@code null} when absent or unreadable
   */
  public static @Nullable Duration duration(@Nullable String value) {
    if (value == null) {
      return null;
    }
    String s = value.trim();
    if (s.isEmpty()) {
      return null;
    }
    try {
      double plain = Double.parseDouble(s);
      return plain >= 0 && plain < 1e9 ? Duration.ofNanos(Math.round(plain * 1e9)) : null;
    } catch (NumberFormatException notPlain) {
      // a unit-suffixed duration
    }
    double nanos = 0;
    int i = 0;
    int n = s.length();
    while (i < n) {
      int start = i;
      while (i < n && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        return null;
      }
      double number;
      try {
        number = Double.parseDouble(s.substring(start, i));
      } catch (NumberFormatException e) {
        return null;
      }
      int unitStart = i;
      while (i < n && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      double factor;
      switch (unit) {
        case "h":
          factor = 3600e9;
          break;
        case "m":
          factor = 60e9;
          break;
        case "s":
          factor = 1e9;
          break;
        case "ms":
          factor = 1e6;
          break;
        case "us":
        case "µs":
          factor = 1e3;
          break;
        case "ns":
          factor = 1;
          break;
        default:
          return null;
      }
      nanos += number * factor;
    }
    return nanos < 1e18 ? Duration.ofNanos(Math.round(nanos)) : null;
  }

  private static @Nullable Long longValue(Optional<String> v) {
    if (v.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(v.get().trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
