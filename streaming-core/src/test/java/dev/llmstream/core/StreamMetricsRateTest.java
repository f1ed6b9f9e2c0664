package dev.llmstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The generation rate counts from the first token, not from the request. */
class StreamMetricsRateTest {
  private static StreamMetrics metrics(Duration ttft, Duration elapsed, long tokens) {
    return new StreamMetrics(StreamState.COMPLETED, ttft, elapsed, tokens, 0, 0, Duration.ZERO, Duration.ZERO,
        Duration.ZERO, Duration.ZERO, Duration.ZERO, null, null, 0, 0);
  }

  @Test
  void aTwentyTokensPerSecondStreamReadsTwentyWhateverItsWaitForTheFirstToken() {
    // 41 tokens 50 ms apart after a 3 s wait: 2 s of generation
    assertThat(metrics(Duration.ofSeconds(3), Duration.ofSeconds(5), 41).tokensPerSecond()).isEqualTo(20.0);
    assertThat(metrics(Duration.ofMillis(100), Duration.ofMillis(2100), 41).tokensPerSecond()).isEqualTo(20.0);
  }

  @Test
  void noRateBeforeASecondTokenOrWithoutTime() {
    assertThat(metrics(Duration.ofSeconds(1), Duration.ofSeconds(1), 1).tokensPerSecond()).isZero();
    assertThat(metrics(Duration.ofSeconds(1), Duration.ofSeconds(1), 5).tokensPerSecond()).isZero();
    assertThat(new StreamMetrics(StreamState.WAITING_FIRST_TOKEN, null, Duration.ofSeconds(1), 0, 0, 0,
        Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, null, null, 0, 0).tokensPerSecond()).isZero();
  }
}
