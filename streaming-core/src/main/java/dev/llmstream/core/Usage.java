package dev.llmstream.core;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Token counts (and, where the provider reports them, timings) for one answer.
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
 * @param timings the provider's timings, or {@code null} when not reported
 * @param recovered {@code true} when this usage sums several attempts of one answer
 */
public record Usage(
    long promptTokens,
    long completionTokens,
    long totalTokens,
    @Nullable Long reasoningTokens,
    @Nullable Timings timings,
    boolean recovered) {

  /**
   * Creates usage with token counts only.
   *
   * @param promptTokens tokens in the prompt
   * @param completionTokens tokens generated
   * @param totalTokens prompt plus completion tokens
   * @return the usage
   */
  public static Usage of(long promptTokens, long completionTokens, long totalTokens) {
    return new Usage(promptTokens, completionTokens, totalTokens, null, null, false);
  }

  /**
   * Adds the counts of another attempt of the same answer; the result is marked {@link #recovered()}.
   * Timings are kept from {@code other} (the last attempt).
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
        other.timings != null ? other.timings : timings,
        true);
  }

  /**
   * Server-side timings as reported by the provider (Groq's {@code queue_time}, {@code prompt_time},
   * {@code completion_time}, {@code total_time}). Each is {@code null} when not reported.
   *
   * @param queue time the request waited in the provider's queue
   * @param prompt time spent processing the prompt
   * @param completion time spent generating
   * @param total total server time
   */
  public record Timings(
      @Nullable Duration queue,
      @Nullable Duration prompt,
      @Nullable Duration completion,
      @Nullable Duration total) {}
}
