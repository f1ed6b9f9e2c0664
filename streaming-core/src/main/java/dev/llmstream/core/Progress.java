package dev.llmstream.core;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How far an answer has come, handed to {@link UiSink#onProgress(Progress)} after each batch (progress
 * rides on the batches; there is no extra timer). Immutable and thread-safe.
 *
 * @param tokens tokens so far: the number of deltas received, or the provider's reported completion
 *     tokens when that is larger
 * @param characters characters of text and reasoning so far
 * @param elapsed time since the request was sent (from the injected {@link StreamScheduler})
 * @param maxTokens the request's token limit, or 0 when unknown (see {@link UiConfig#maxTokens()})
 */
public record Progress(long tokens, long characters, Duration elapsed, int maxTokens) {

  /**
   * Validates the components.
   *
   * @param tokens tokens so far: the number of deltas received, or the provider's reported completion tokens when that is larger
   * @param characters characters of text and reasoning so far
   * @param elapsed time since the request was sent (from the injected {@link StreamScheduler})
   * @param maxTokens the request's token limit, or 0 when unknown (see {@link UiConfig#maxTokens()})
   * @throws NullPointerException if {@code elapsed} is null
   * @throws IllegalArgumentException if a count is negative
   */
  public Progress {
    Objects.requireNonNull(elapsed, "elapsed");
    if (tokens < 0 || characters < 0 || maxTokens < 0) {
      throw new IllegalArgumentException(
          "tokens, characters and maxTokens must be >= 0, were "
              + tokens
              + ", "
              + characters
              + ", "
              + maxTokens);
    }
  }

  /**
   * Tokens per second since the request was sent (0 when no time has passed).
   *
   * @return the rate
   */
  public double tokensPerSecond() {
    long nanos = elapsed.toNanos();
    return nanos <= 0 ? 0 : tokens * 1e9 / nanos;
  }

  /**
   * The share of the token limit used so far, from 0 to 100, when the limit is known.
   *
   * @return the percentage, or empty when {@link #maxTokens()} is 0
   */
  public OptionalDouble percentOfMaxTokens() {
    if (maxTokens <= 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(Math.min(100.0, tokens * 100.0 / maxTokens));
  }
}
