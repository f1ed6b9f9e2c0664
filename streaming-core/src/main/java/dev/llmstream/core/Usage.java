package dev.llmstream.core;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Token counts (and, where the provider reports them, its server-side timings) for one answer.
 *
 * <p>A provider may send the same usage several times in one stream (Groq: in {@code x_groq.usage}, at top
 * level and in a trailing chunk); consumers keep the latest, never the sum. Usage of several attempts of
 * one answer (recovery) is combined with {@link #plus(Usage)} and marked {@link #recovered()}.
 * Immutable and thread-safe.
 *
 * @param promptTokens tokens in the prompt
 * @param completionTokens tokens generated
 * @param totalTokens prompt plus completion tokens
 * @param reasoningTokens tokens spent on reasoning, or {@code null} when not reported
 * @param timings the provider's server-side timings under the provider's own names (Groq:
 *     {@code queue_time}, {@code prompt_time}, {@code completion_time}, {@code total_time}); empty when
 *     none were reported, never null; unmodifiable
 * @param recovered {@code true} when this usage sums several attempts of one answer
 */
public record Usage(
    long promptTokens,
    long completionTokens,
    long totalTokens,
    @Nullable Long reasoningTokens,
    Map<String, Duration> timings,
    boolean recovered) {

  /**
   * Copies the timings ({@code null} reads as none).
   *
   * @param promptTokens tokens in the prompt
   * @param completionTokens tokens generated
   * @param totalTokens prompt plus completion tokens
   * @param reasoningTokens tokens spent on reasoning, or {@code null} when not reported
   * @param timings the provider's server-side timings under its own names, or {@code null} or empty when
   *     none were reported
   * @param recovered {@code true} when this usage sums several attempts of one answer
   * @throws NullPointerException if a timing's name or value is null
   */
  public Usage {
    timings = timings == null ? Map.of() : Map.copyOf(timings);
  }

  /**
   * Creates usage with token counts only.
   *
   * @param promptTokens tokens in the prompt
   * @param completionTokens tokens generated
   * @param totalTokens prompt plus completion tokens
   * @return the usage
   */
  public static Usage of(long promptTokens, long completionTokens, long totalTokens) {
    return new Usage(promptTokens, completionTokens, totalTokens, null, Map.of(), false);
  }

  /**
   * Adds the counts of another attempt of the same answer; the result is marked {@link #recovered()}.
   * Timings are kept from {@code other} (the last attempt) when it reported any.
   *
   * @param other the usage of a later attempt
   * @return the summed usage
   */
  public Usage plus(Usage other) {
    Long reasoning =
        reasoningTokens == null && other.reasoningTokens == null
            ? null
            : (reasoningTokens == null ? 0L : reasoningTokens)
                + (other.reasoningTokens == null ? 0L : other.reasoningTokens);
    return new Usage(
        promptTokens + other.promptTokens,
        completionTokens + other.completionTokens,
        totalTokens + other.totalTokens,
        reasoning,
        other.timings.isEmpty() ? timings : other.timings,
        true);
  }
}
