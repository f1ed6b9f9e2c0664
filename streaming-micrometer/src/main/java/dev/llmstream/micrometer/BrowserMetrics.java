package dev.llmstream.micrometer;

import dev.llmstream.micrometer.internal.GenAi;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * What only the browser knows, as the page reports it to the server: {@code llmstream.ui.display.lag}
 * (seconds, histogram: from the relay sending a text event, its {@code "st"} stamp, to the browser having
 * painted it, see {@code llmstream.js}'s {@code onDisplayLag}) and {@code llmstream.ui.long.frames}
 * (counter: frames of 50 ms or more while an answer streamed).
 *
 * <pre>{@code
 * BrowserMetrics browser = BrowserMetrics.register(meterRegistry);
 * // in the endpoint the page posts to, for a known session only:
 * for (double ms : report.displayLagMs()) browser.recordDisplayLag(ms);
 * browser.recordLongFrames(report.longFrames());
 * }</pre>
 *
 * <p><b>Untrusted input.</b> The numbers come from browsers: the endpoint bounds how many it takes per
 * request (the web example: 256 lags, 8 KiB) and accepts them from known sessions only; this class
 * clamps each lag to 0-60 s (a negative one is the two clocks disagreeing, recorded as 0; past a minute
 * the tab was asleep) and rejects what is not a number. No tags: a browser's report never adds a
 * time series.
 *
 * <p><b>Lifecycle and threading.</b> {@link #register} creates both meters at once (so they are in a
 * scrape before the first report); thread-safe and lock-free, one instance per registry.
 */
public final class BrowserMetrics {
  /** {@code llmstream.ui.display.lag}: relay sent a text event to the browser painted it, in seconds. */
  public static final String DISPLAY_LAG = "llmstream.ui.display.lag";
  /** {@code llmstream.ui.long.frames}: frames of 50 ms or more in the browser while an answer streamed. */
  public static final String LONG_FRAMES = "llmstream.ui.long.frames";
  /** The largest display lag recorded; a larger one is recorded as this. */
  public static final Duration MAX_DISPLAY_LAG = Duration.ofSeconds(60);

  private final Timer displayLag;
  private final Counter longFrames;

  private BrowserMetrics(MeterRegistry registry) {
    this.displayLag =
        Timer.builder(DISPLAY_LAG)
            .description("From the relay sending a text event to the browser having painted it")
            .serviceLevelObjectives(GenAi.DISPLAY_BUCKETS)
            .register(registry);
    this.longFrames =
        Counter.builder(LONG_FRAMES)
            .description("Frames of 50 ms or more in the browser while an answer streamed")
            .register(registry);
  }

  /**
   * Registers {@code llmstream.ui.display.lag} and {@code llmstream.ui.long.frames} in {@code registry}.
   *
   * @param registry where the meters go
   * @return the recorder
   * @throws NullPointerException if {@code registry} is null
   */
  public static BrowserMetrics register(MeterRegistry registry) {
    return new BrowserMetrics(Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Records one display lag as the browser measured it, clamped to 0 to {@link #MAX_DISPLAY_LAG}.
   *
   * @param millis milliseconds from the event's {@code "st"} stamp to the frame that painted it
   * @throws IllegalArgumentException if {@code millis} is NaN or infinite
   */
  public void recordDisplayLag(double millis) {
    if (!Double.isFinite(millis)) {
      throw new IllegalArgumentException("a display lag must be a finite number of milliseconds, was " + millis);
    }
    double clamped = Math.min(Math.max(millis, 0), MAX_DISPLAY_LAG.toMillis());
    displayLag.record(Math.round(clamped * 1_000_000), TimeUnit.NANOSECONDS);
  }

  /**
   * Adds long frames the browser saw.
   *
   * @param count how many, zero or more
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public void recordLongFrames(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("longFrames must be >= 0, was " + count);
    }
    if (count > 0) {
      longFrames.increment(count);
    }
  }

  @Override
  public String toString() {
    return "BrowserMetrics[displayLags=" + displayLag.count() + ", longFrames=" + (long) longFrames.count() + "]";
  }
}
