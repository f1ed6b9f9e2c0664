package dev.llmstream.web;

import org.jspecify.annotations.Nullable;

/** Reading the resume point of an events request. Stateless and thread-safe. */
public final class SseRequests {
  private SseRequests() {
    throw new AssertionError("no instances");
  }

  /**
   * The id to resume after: the larger of the {@code Last-Event-ID} header and the {@code after} query
   * parameter, 0 when both are absent or empty.
   *
   * @param lastEventId the {@code Last-Event-ID} header, or null
   * @param after the {@code after} query parameter, or null
   * @return the last id the client has
   * @throws IllegalArgumentException if a value is not a non-negative decimal integer (answer 400)
   */
  public static long resumeAfter(@Nullable String lastEventId, @Nullable String after) {
    return Math.max(parse(lastEventId, "Last-Event-ID"), parse(after, "after"));
  }

  private static long parse(@Nullable String s, String name) {
    if (s == null || s.isBlank()) {
      return 0;
    }
    String v = s.trim();
    if (v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          name + " must be the id of the last event received (a decimal integer), was '"
              + (v.length() > 20 ? v.substring(0, 20) + "…" : v) + "'");
    }
    return Long.parseLong(v);
  }
}
