package dev.llmstream.core;

import java.util.Objects;

/**
 * Configuration for {@link UiConnection#connect}.
 * Immutable and thread-safe; build with {@link #builder()}.
 *
 * @param buffer how text is batched before it reaches the sink
 * @param scheduler the clock and timer (buffer windows and every measured duration)
 * @see Builder
 */
public record UiConfig(StreamBufferConfig buffer, StreamScheduler scheduler) {

  /**
   * Validates the components.
   *
   * @param buffer how text is batched before it reaches the sink
   * @param scheduler the clock and timer (buffer windows and every measured duration)
   * @throws NullPointerException if a component is null
   */
  public UiConfig {
    Objects.requireNonNull(buffer, "buffer");
    Objects.requireNonNull(scheduler, "scheduler");
  }

  /**
   * The defaults: {@link StreamBufferConfig#defaults()} and {@link StreamScheduler#system()}.
   *
   * @return the defaults
   */
  public static UiConfig defaults() {
    return new UiConfig(StreamBufferConfig.defaults(), StreamScheduler.system());
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
    private boolean bufferSet;
    private boolean schedulerSet;

    private Builder(UiConfig from) {
      this.buffer = from.buffer;
      this.scheduler = from.scheduler;
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
     * Builds the immutable configuration.
     *
     * @return the configuration
     */
    public UiConfig build() {
      return new UiConfig(buffer, scheduler);
    }
  }
}
