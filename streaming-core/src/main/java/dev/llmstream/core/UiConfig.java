package dev.llmstream.core;

import java.util.Objects;

/**
 * Configuration for {@link UiConnection#connect}.
 * Immutable and thread-safe; build with {@link #builder()}.
 *
 * @param buffer how text is batched before it reaches the sink
 * @param scheduler the clock and timer (buffer windows and every measured duration)
 * @param metrics receives this stream's metrics (may be shared by many streams)
 * @param maxTokens the request's token limit for {@link Progress#percentOfMaxTokens()}, or 0 if unknown
 * @see Builder
 */
public record UiConfig(
    StreamBufferConfig buffer, StreamScheduler scheduler, StreamMetricsListener metrics, int maxTokens) {

  private static final StreamMetricsListener NO_METRICS = new StreamMetricsListener() {};

  /**
   * Validates the components.
   *
   * @param buffer how text is batched before it reaches the sink
   * @param scheduler the clock and timer (buffer windows and every measured duration)
   * @param metrics receives this stream's metrics (a {@link StreamMetricsListener}, which may be shared by streams)
   * @param maxTokens the request's token limit for {@link Progress#percentOfMaxTokens()}, or 0 if unknown
   * @throws NullPointerException if a component is null
   * @throws IllegalArgumentException if {@code maxTokens} is negative
   */
  public UiConfig {
    Objects.requireNonNull(buffer, "buffer");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(metrics, "metrics");
    if (maxTokens < 0) {
      throw new IllegalArgumentException("maxTokens must be >= 0 (0 = unknown), was " + maxTokens);
    }
  }

  /**
   * The defaults: {@link StreamBufferConfig#defaults()}, {@link StreamScheduler#system()}, no metrics
   * listener, unknown token limit.
   *
   * @return the defaults
   */
  public static UiConfig defaults() {
    return new UiConfig(StreamBufferConfig.defaults(), StreamScheduler.system(), NO_METRICS, 0);
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /**
   * A builder starting from this configuration.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds {@link UiConfig}. Each setting may be set once per builder. Not thread-safe. */
  public static final class Builder {
    private StreamBufferConfig buffer;
    private StreamScheduler scheduler;
    private StreamMetricsListener metrics;
    private int maxTokens;
    private boolean bufferSet;
    private boolean schedulerSet;
    private boolean metricsSet;
    private boolean maxTokensSet;

    private Builder(UiConfig from) {
      this.buffer = from.buffer;
      this.scheduler = from.scheduler;
      this.metrics = from.metrics;
      this.maxTokens = from.maxTokens;
    }

    /**
     * Sets how text is batched.
     *
     * @param buffer the buffer configuration
     * @return this builder
     * @throws NullPointerException if {@code buffer} is null
     * @throws IllegalStateException if it was already set on this builder
     */
    public Builder buffer(StreamBufferConfig buffer) {
      Objects.requireNonNull(buffer, "buffer");
      if (bufferSet) {
        throw new IllegalStateException("buffer was already set to " + this.buffer);
      }
      bufferSet = true;
      this.buffer = buffer;
      return this;
    }

    /**
     * Sets the clock and timer.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws NullPointerException if {@code scheduler} is null
     * @throws IllegalStateException if it was already set on this builder
     */
    public Builder scheduler(StreamScheduler scheduler) {
      Objects.requireNonNull(scheduler, "scheduler");
      if (schedulerSet) {
        throw new IllegalStateException("scheduler was already set to " + this.scheduler);
      }
      schedulerSet = true;
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Sets the metrics listener. Its exceptions are logged and ignored.
     *
     * @param metrics the listener
     * @return this builder
     * @throws NullPointerException if {@code metrics} is null
     * @throws IllegalStateException if it was already set on this builder
     */
    public Builder metrics(StreamMetricsListener metrics) {
      Objects.requireNonNull(metrics, "metrics");
      if (metricsSet) {
        throw new IllegalStateException("metrics was already set to " + this.metrics);
      }
      metricsSet = true;
      this.metrics = metrics;
      return this;
    }

    /**
     * Sets the request's token limit, for progress percentages.
     *
     * @param maxTokens the limit, or 0 if unknown
     * @return this builder
     * @throws IllegalArgumentException if {@code maxTokens} is negative
     * @throws IllegalStateException if it was already set on this builder
     */
    public Builder maxTokens(int maxTokens) {
      if (maxTokens < 0) {
        throw new IllegalArgumentException("maxTokens must be >= 0 (0 = unknown), was " + maxTokens);
      }
      if (maxTokensSet) {
        throw new IllegalStateException("maxTokens was already set to " + this.maxTokens);
      }
      maxTokensSet = true;
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * Builds the immutable configuration.
     *
     * @return the configuration
     */
    public UiConfig build() {
      return new UiConfig(buffer, scheduler, metrics, maxTokens);
    }
  }
}
