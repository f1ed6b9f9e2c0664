package dev.llmstream.groq.internal;

import dev.llmstream.core.Usage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Groq's server-side timings ({@code x_groq.usage} / {@code usage}: {@code queue_time}, {@code prompt_time},
 * {@code completion_time}, {@code total_time}) as {@link Usage#timings()}: under Groq's own names, the ones
 * not reported left out. Stateless.
 */
final class GroqTimings {
  private GroqTimings() {
    throw new AssertionError("no instances");
  }

  /**
   * The reported timings.
   *
   * @param queue {@code queue_time}, or null
   * @param prompt {@code prompt_time}, or null
   * @param completion {@code completion_time}, or null
   * @param total {@code total_time}, or null
   * @return the timings by name (empty when none was reported); unmodifiable
   */
  static Map<String, Duration> of(
      @Nullable Duration queue, @Nullable Duration prompt, @Nullable Duration completion, @Nullable Duration total) {
    Map<String, Duration> m = new LinkedHashMap<>(4);
    put(m, "queue_time", queue);
    put(m, "prompt_time", prompt);
    put(m, "completion_time", completion);
    put(m, "total_time", total);
    return Map.copyOf(m);
  }

  private static void put(Map<String, Duration> m, String name, @Nullable Duration d) {
    if (d != null) {
      m.put(name, d);
    }
  }
}
