package dev.llmstream.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How text is batched on its way to a UI: the configuration of {@link UiConnection#connect} and of a
 * {@link UiConnection#buffer}. Immutable and thread-safe. Start from {@link #defaults()} and change what you
 * need with the {@code with…} methods, each of which returns a new configuration:
 *
 * <pre>{@code
 * UiConfig config = UiConfig.defaults().withWindow(Duration.ofMillis(16)).withBoundary(UiConfig.Boundary.WORD);
 * }</pre>
 *
 * <p>The rules, in short: text that arrives when nothing was sent during the last {@link #window()} goes
 * out at once (so the first token is never delayed, nor is a slow model); after that, text is held and
 * released when the window has elapsed since the previous batch, or earlier when the batch reaches
 * {@link #maxBatchChars()}. Non-text events, completion and errors flush what is pending first. When the
 * downstream has no demand, text keeps coalescing into one larger batch, up to {@link #maxPendingChars()},
 * beyond which the buffer stops reading from upstream.
 *
 * <p>Every value is checked where it is set (the canonical constructor, so every {@code with…} method
 * too); an {@link IllegalArgumentException} names the setting. Raising {@code maxBatchChars} above
 * {@code maxPendingChars} fails: raise {@code maxPendingChars} first.
 *
 * @param window the pacing window, from 0 (no pacing: every piece goes out as demand allows) to 1 s
 * @param maxBatchChars the size at which a batch is released before its window ends (at least 1)
 * @param boundary where timed batches prefer to end (see {@link Boundary})
 * @param maxPendingChars the most text held while the downstream is slow; at least {@code maxBatchChars}
 * @param scheduler the clock and timer (buffer windows and every measured duration)
 */
public record UiConfig(
    Duration window, int maxBatchChars, Boundary boundary, int maxPendingChars, StreamScheduler scheduler) {

  /** The default window: 50 ms, about three frames at 60 Hz. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMillis(50);

  /** The largest window accepted: 1 s. */
  public static final Duration MAX_WINDOW = Duration.ofSeconds(1);

  /** The default size limit of a batch: 256 characters. */
  public static final int DEFAULT_MAX_BATCH_CHARS = 256;

  /** The default cap on text held for a slow downstream: 1 Mi characters. */
  public static final int DEFAULT_MAX_PENDING_CHARS = 1 << 20;

  /**
   * Validates the components.
   *
   * @param window the pacing window, from 0 (no pacing: every piece goes out as demand allows) to 1 s
   * @param maxBatchChars the size at which a batch is released before its window ends (at least 1)
   * @param boundary where timed batches prefer to end (see {@link Boundary})
   * @param maxPendingChars the most text held while the downstream is slow; at least {@code maxBatchChars}
   * @param scheduler the clock and timer (buffer windows and every measured duration)
   * @throws NullPointerException if {@code window}, {@code boundary} or {@code scheduler} is null
   * @throws IllegalArgumentException if a value is out of range; the message names the setting
   */
  public UiConfig {
    Objects.requireNonNull(window, "window");
    if (window.isNegative() || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException(
          "window must be between 0 and " + MAX_WINDOW.toMillis() + " ms, was " + window);
    }
    if (maxBatchChars < 1) {
      throw new IllegalArgumentException("maxBatchChars must be >= 1, was " + maxBatchChars);
    }
    Objects.requireNonNull(boundary, "boundary");
    if (maxPendingChars < 1) {
      throw new IllegalArgumentException("maxPendingChars must be >= 1, was " + maxPendingChars);
    }
    if (maxPendingChars < maxBatchChars) {
      throw new IllegalArgumentException(
          "maxPendingChars (" + maxPendingChars + ") must be >= maxBatchChars (" + maxBatchChars + ")");
    }
    Objects.requireNonNull(scheduler, "scheduler");
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
   * The defaults: a {@value #DEFAULT_MAX_BATCH_CHARS}-character batch limit, a 50 ms window
   * ({@link #DEFAULT_WINDOW}), no boundary preference, {@value #DEFAULT_MAX_PENDING_CHARS} characters held
   * at most, on {@link StreamScheduler#system()}.
   *
   * @return the defaults
   */
  public static UiConfig defaults() {
    return new UiConfig(
        DEFAULT_WINDOW, DEFAULT_MAX_BATCH_CHARS, Boundary.NONE, DEFAULT_MAX_PENDING_CHARS, StreamScheduler.system());
  }

  /**
   * This configuration with another pacing window.
   *
   * @param window from 0 (no pacing) to {@link #MAX_WINDOW}
   * @return the new configuration
   * @throws NullPointerException if {@code window} is null
   * @throws IllegalArgumentException if it is out of range
   */
  public UiConfig withWindow(Duration window) {
    return new UiConfig(window, maxBatchChars, boundary, maxPendingChars, scheduler);
  }

  /**
   * This configuration with another batch size limit.
   *
   * @param maxBatchChars at least 1, at most {@link #maxPendingChars()}
   * @return the new configuration
   * @throws IllegalArgumentException if it is out of range
   */
  public UiConfig withMaxBatchChars(int maxBatchChars) {
    return new UiConfig(window, maxBatchChars, boundary, maxPendingChars, scheduler);
  }

  /**
   * This configuration with another boundary preference.
   *
   * @param boundary where timed batches prefer to end
   * @return the new configuration
   * @throws NullPointerException if {@code boundary} is null
   */
  public UiConfig withBoundary(Boundary boundary) {
    return new UiConfig(window, maxBatchChars, boundary, maxPendingChars, scheduler);
  }

  /**
   * This configuration with another cap on text held for a slow downstream.
   *
   * @param maxPendingChars at least {@link #maxBatchChars()}
   * @return the new configuration
   * @throws IllegalArgumentException if it is out of range
   */
  public UiConfig withMaxPendingChars(int maxPendingChars) {
    return new UiConfig(window, maxBatchChars, boundary, maxPendingChars, scheduler);
  }

  /**
   * This configuration on another clock and timer (a virtual one in tests).
   *
   * @param scheduler the scheduler
   * @return the new configuration
   * @throws NullPointerException if {@code scheduler} is null
   */
  public UiConfig withScheduler(StreamScheduler scheduler) {
    return new UiConfig(window, maxBatchChars, boundary, maxPendingChars, scheduler);
  }
}
