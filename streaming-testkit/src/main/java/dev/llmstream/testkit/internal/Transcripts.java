package dev.llmstream.testkit.internal;

import java.util.ArrayList;
import java.util.List;

/** Splits a recorded SSE body into its events, keeping each event's bytes and blank-line terminator. */
public final class Transcripts {
  private Transcripts() {
    throw new AssertionError("no instances");
  }

  /**
   * The events of {@code sse}, each with its terminating blank line ({@code \n\n}, {@code \r\n\r\n} or
   * {@code \r\r}); a last event without one gets {@code \n\n}. Blank text between events is dropped.
   */
  public static List<String> split(String sse) {
    List<String> events = new ArrayList<>();
    int start = 0;
    int i = 0;
    int n = sse.length();
    while (i < n) {
      int end = blankLineEnd(sse, i);
      if (end > 0) {
        String event = sse.substring(start, end);
        if (!event.isBlank()) {
          events.add(event);
        }
        start = end;
        i = end;
      } else {
        i++;
      }
    }
    if (start < n && !sse.substring(start).isBlank()) {
      events.add(sse.substring(start) + "\n\n");
    }
    return events;
  }

  /** If a line end followed by an empty line starts at i, the index after it; else -1. */
  private static int blankLineEnd(String s, int i) {
    int first = lineEnd(s, i);
    if (first < 0) {
      return -1;
    }
    int second = lineEnd(s, first);
    return second;
  }

  private static int lineEnd(String s, int i) {
    if (i >= s.length()) {
      return -1;
    }
    char c = s.charAt(i);
    if (c == '\n') {
      return i + 1;
    }
    if (c == '\r') {
      return i + 1 < s.length() && s.charAt(i + 1) == '\n' ? i + 2 : i + 1;
    }
    return -1;
  }
}
