package dev.llmstream.core;

import java.util.Objects;

/**
 * Options for {@link UiStreams#connect(TokenStream, UiSink, java.util.concurrent.Executor, UiOptions)}.
 * Immutable and thread-safe; build with {@link #builder()}.
 *
 * @param buffer how text is batched before it reaches the sink
 * @param scheduler the clock and timer (buffer windows and every measured duration)
 * @param metrics receives this stream's metrics (for example a shared {@link MetricsRecorder})
 * @param maxTokens the request's token limit for {@link Progress#percentOfMaxTokens()}, or 0 if unknown
 * @see Builder
 */
public record UiOptions(
    StreamBufferConfig buffer, StreamScheduler scheduler, StreamMetricsListener metrics, int maxTokens) {

  private static final StreamMetricsListener NO_METRICS = new StreamMetricsListener() {};

  /**
   * Validates the components.
   *
   * @throws NullPointerException if a component is null
   * @throws IllegalArgumentException if {@code maxTokens} is negative
   */
  public UiOptions {
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
  public static UiOptions defaults() {
    return new UiOptions(StreamBufferConfig.defaults(), StreamScheduler.system(), NO_METRICS, 0);
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
   * A builder starting from these options.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds {@link UiOptions}. Not thread-safe. */
  public static final class Builder {
    private StreamBufferConfig buffer;
    private StreamScheduler scheduler;
    private StreamMetricsListener metrics;
    private int maxTokens;

    private Builder(UiOptions from) {
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
     */
    public Builder buffer(StreamBufferConfig buffer) {
      this.buffer = Objects.requireNonNull(buffer, "buffer");
      return this;
    }

    /**
     * Sets the clock and timer.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws NullPointerException if {@code scheduler} is null
     */
    public Builder scheduler(StreamScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Sets the metrics listener. Its exceptions are logged and ignored.
     *
     * @param metrics the listener
     * @return this builder
     * @throws NullPointerException if {@code metrics} is null
     */
    public Builder metrics(StreamMetricsListener metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Sets the request's token limit, for progress percentages.
     *
     * @param maxTokens the limit, or 0 if unknown
     * @return this builder
     * @throws IllegalArgumentException if {@code maxTokens} is negative
     */
    public Builder maxTokens(int maxTokens) {
      if (maxTokens < 0) {
        throw new IllegalArgumentException("maxTokens must be >= 0 (0 = unknown), was " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * Builds the immutable options.
     *
     * @return the options
     */
    public UiOptions build() {
      return new UiOptions(buffer, scheduler, metrics, maxTokens);
    }
  }
}
