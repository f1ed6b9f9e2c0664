package dev.llmstream.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link StreamBuffer} batches text for a UI. Immutable and thread-safe; build one with
 * {@link #builder()} or start from {@link #defaults()}.
 *
 * <p>The rules, in short: text that arrives when nothing was sent during the last {@link #window()} goes
 * out at once (so the first token is never delayed, nor is a slow model); after that, text is held and
 * released when the window has elapsed since the previous batch, or earlier when the batch reaches
 * {@link #maxBatchChars()}. Non-text events, completion and errors flush what is pending first. When the
 * downstream has no demand, text keeps coalescing into one larger batch, up to {@link #maxPendingChars()},
 * beyond which the buffer stops reading from upstream.
 *
 * @param window the pacing window, from 0 (no pacing: every piece goes out as demand allows) to 1 s
 * @param maxBatchChars the size at which a batch is released before its window ends (at least 1)
 * @param boundary where timed batches prefer to end (see {@link Boundary})
 * @param maxPendingChars the most text held while the downstream is slow; at least {@code maxBatchChars}
 * @see Builder
 */
public record StreamBufferConfig(
    Duration window, int maxBatchChars, Boundary boundary, int maxPendingChars) {

  /** The default window: 50 ms, about three frames at 60 Hz. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMillis(50);

  /** The largest window accepted: 1 s. */
  public static final Duration MAX_WINDOW = Duration.ofSeconds(1);

  /** The default size limit of a batch: 256 characters. */
  public static final int DEFAULT_MAX_BATCH_CHARS = 256;

  /** The default cap on text held for a slow downstream: 1 Mi characters. */
  public static final int DEFAULT_MAX_PENDING_CHARS = 1 << 20;

  private static final StreamBufferConfig DEFAULTS =
      new StreamBufferConfig(
          DEFAULT_WINDOW, DEFAULT_MAX_BATCH_CHARS, Boundary.NONE, DEFAULT_MAX_PENDING_CHARS);

  /**
   * Validates the components (the same checks as the builder).
   *
   * @param window the pacing window, from 0 (no pacing: every piece goes out as demand allows) to 1 s
   * @param maxBatchChars the size at which a batch is released before its window ends (at least 1)
   * @param boundary where timed batches prefer to end (see {@link Boundary})
   * @param maxPendingChars the most text held while the downstream is slow; at least {@code maxBatchChars}
   * @throws NullPointerException if {@code window} or {@code boundary} is null
   * @throws IllegalArgumentException if a value is out of range; the message names the setting
   */
  public StreamBufferConfig {
    checkWindow(window);
    checkMaxBatchChars(maxBatchChars);
    Objects.requireNonNull(boundary, "boundary");
    checkMaxPendingChars(maxPendingChars);
    if (maxPendingChars < maxBatchChars) {
      throw new IllegalArgumentException(
          "maxPendingChars ("
              + maxPendingChars
              + ") must be >= maxBatchChars ("
              + maxBatchChars
              + ")");
    }
  }

  /**
   * Where a batch released by its timer or size limit prefers to end. A batch released at once (the
   * leading edge), on a non-text event, on completion or for a slow downstream ends where the text ends.
   */
  public enum Boundary {
    /** Batches end wherever the text ends. */
    NONE,
    /**
     * Batches end after whitespace when there is some; the trailing word fragment is held back, but
     * never longer than one window after it arrived.
     */
    WORD,
    /** Like {@link #WORD}, but batches end after a line break ({@code '\n'}). */
    LINE
  }

  /**
   * The default configuration: 50 ms window, 256-character batches, no boundary preference, 1 Mi
   * characters held at most.
   *
   * @return the defaults
   */
  public static StreamBufferConfig defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /**
   * A builder starting from this configuration.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  private static void checkWindow(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative() || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException(
          "window must be between 0 and " + MAX_WINDOW.toMillis() + " ms, was " + window);
    }
  }

  private static void checkMaxBatchChars(int maxBatchChars) {
    if (maxBatchChars < 1) {
      throw new IllegalArgumentException("maxBatchChars must be >= 1, was " + maxBatchChars);
    }
  }

  private static void checkMaxPendingChars(int maxPendingChars) {
    if (maxPendingChars < 1) {
      throw new IllegalArgumentException("maxPendingChars must be >= 1, was " + maxPendingChars);
    }
  }

  /**
   * Builds a {@link StreamBufferConfig}. Each setting may be set once per builder. Not thread-safe: use
   * one builder on one thread.
   */
  public static final class Builder {
    private Duration window;
    private int maxBatchChars;
    private Boundary boundary;
    private int maxPendingChars;
    private boolean windowSet;
    private boolean maxBatchCharsSet;
    private boolean boundarySet;
    private boolean maxPendingCharsSet;

    private Builder(StreamBufferConfig from) {
      this.window = from.window;
      this.maxBatchChars = from.maxBatchChars;
      this.boundary = from.boundary;
      this.maxPendingChars = from.maxPendingChars;
    }

    /**
     * Sets the pacing window.
     *
     * @param window from {@link Duration#ZERO} to {@link #MAX_WINDOW}
     * @return this builder
     * @throws NullPointerException if {@code window} is null
     * @throws IllegalArgumentException if {@code window} is negative or longer than 1 s
     * @throws IllegalStateException if the window was already set on this builder
     */
    public Builder window(Duration window) {
      checkWindow(window);
      if (windowSet) {
        throw new IllegalStateException("window was already set to " + this.window);
      }
      windowSet = true;
      this.window = window;
      return this;
    }

    /**
     * Sets the size at which a batch is released early.
     *
     * @param maxBatchChars at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code maxBatchChars} is less than 1
     * @throws IllegalStateException if it was already set on this builder
     */
    public Builder maxBatchChars(int maxBatchChars) {
      checkMaxBatchChars(maxBatchChars);
      if (maxBatchCharsSet) {
        throw new IllegalStateException("maxBatchChars was already set to " + this.maxBatchChars);
      }
      maxBatchCharsSet = true;
      this.maxBatchChars = maxBatchChars;
      return this;
    }

    /**
     * Sets where timed batches prefer to end.
     *
     * @param boundary the boundary
     * @return this builder
     * @throws NullPointerException if {@code boundary} is null
     * @throws IllegalStateException if it was already set on this builder
     */
    public Builder boundary(Boundary boundary) {
      Objects.requireNonNull(boundary, "boundary");
      if (boundarySet) {
        throw new IllegalStateException("boundary was already set to " + this.boundary);
      }
      boundarySet = true;
      this.boundary = boundary;
      return this;
    }

    /**
     * Sets the most text held while the downstream is slow; beyond it the buffer stops requesting from
     * upstream (so bytes stay in the socket).
     *
     * @param maxPendingChars at least 1, and at least {@code maxBatchChars} when built
     * @return this builder
     * @throws IllegalArgumentException if {@code maxPendingChars} is less than 1
     * @throws IllegalStateException if it was already set on this builder
     */
    public Builder maxPendingChars(int maxPendingChars) {
      checkMaxPendingChars(maxPendingChars);
      if (maxPendingCharsSet) {
        throw new IllegalStateException(
            "maxPendingChars was already set to " + this.maxPendingChars);
      }
      maxPendingCharsSet = true;
      this.maxPendingChars = maxPendingChars;
      return this;
    }

    /**
     * Builds the immutable configuration.
     *
     * @return the configuration
     * @throws IllegalArgumentException if {@code maxPendingChars} is less than {@code maxBatchChars}
     */
    public StreamBufferConfig build() {
      return new StreamBufferConfig(window, maxBatchChars, boundary, maxPendingChars);
    }
  }
}
