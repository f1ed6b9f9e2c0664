package dev.llmstream.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link BrowserMetrics}: what a browser reports, clamped and checked, in seconds. */
class BrowserMetricsTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final BrowserMetrics browser = BrowserMetrics.register(meters);

  @Test
  void bothMetersExistBeforeTheFirstReport() {
    assertThat(meters.get(BrowserMetrics.DISPLAY_LAG).timer().count()).isZero();
    assertThat(meters.get(BrowserMetrics.LONG_FRAMES).counter().count()).isZero();
    assertThat(meters.get(BrowserMetrics.DISPLAY_LAG).timer().getId().getTags()).isEmpty();
  }

  @Test
  void displayLagsAreRecordedInSecondsAndClampedToZeroToSixtySeconds() {
    browser.recordDisplayLag(12.5);
    browser.recordDisplayLag(40);
    browser.recordDisplayLag(-30); // the browser's clock is behind the server's
    browser.recordDisplayLag(3_600_000); // a tab that slept for an hour
    Timer lag = meters.get(BrowserMetrics.DISPLAY_LAG).timer();
    assertThat(lag.count()).isEqualTo(4);
    assertThat(lag.totalTime(TimeUnit.MICROSECONDS)).isEqualTo(12_500 + 40_000 + 0 + 60_000_000);
    assertThat(lag.max(TimeUnit.SECONDS)).isEqualTo(60);
    // the buckets start at 5 ms and include one frame (16 ms): 12.5 ms and 0 are under it, 40 ms is not
    CountAtBucket frame = bucket(lag, 0.016);
    assertThat(frame.count()).isEqualTo(2);
    assertThat(bucket(lag, 60).count()).isEqualTo(4);
  }

  private static CountAtBucket bucket(Timer t, double seconds) {
    for (CountAtBucket b : t.takeSnapshot().histogramCounts()) {
      if (Math.abs(b.bucket(TimeUnit.SECONDS) - seconds) < 1e-9) {
        return b;
      }
    }
    throw new AssertionError("no bucket " + seconds);
  }

  @Test
  void longFramesAreCounted() {
    browser.recordLongFrames(3);
    browser.recordLongFrames(0);
    browser.recordLongFrames(2);
    assertThat(meters.get(BrowserMetrics.LONG_FRAMES).counter().count()).isEqualTo(5);
    assertThat(browser.toString()).isEqualTo("BrowserMetrics[displayLags=0, longFrames=5]");
  }

  @Test
  void whatIsNotANumberIsRejectedAndNothingIsRecorded() {
    assertThatThrownBy(() -> browser.recordDisplayLag(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> browser.recordDisplayLag(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> browser.recordLongFrames(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longFrames");
    assertThatThrownBy(() -> BrowserMetrics.register(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("registry");
    assertThat(meters.get(BrowserMetrics.DISPLAY_LAG).timer().count()).isZero();
    assertThat(meters.get(BrowserMetrics.LONG_FRAMES).counter().count()).isZero();
  }
}
