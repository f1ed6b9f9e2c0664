package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.internal.FailsafeScheduler;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Failsafe's asynchronous retries run on the stream's clock: exact virtual times, nothing else runs them. */
class FailsafeSchedulerTest {
  private final VirtualScheduler clock = new VirtualScheduler();
  private final List<Long> attemptsAt = new CopyOnWriteArrayList<>();

  private static StreamException cut() {
    return new StreamException(ErrorKind.CONNECTION, "reset", StreamException.NO_STATUS, null, null);
  }

  private CompletableFuture<String> failTwiceThenSucceed() {
    RetryPolicy<String> retry = RetryPolicy.<String>builder()
        .handle(StreamException.class).withDelay(Duration.ofMillis(500)).withMaxRetries(2).build();
    return Failsafe.with(retry).with(new FailsafeScheduler(clock)).getAsyncExecution(execution -> {
      attemptsAt.add(clock.nanoTime());
      if (attemptsAt.size() < 3) {
        execution.recordException(cut());
      } else {
        execution.recordResult("ok");
      }
    });
  }

  @Test
  void retriesHappenAtTheirDelaysOnTheVirtualClock() throws Exception {
    CompletableFuture<String> result = failTwiceThenSucceed();
    assertThat(attemptsAt).as("nothing runs until the clock does").isEmpty();
    clock.runDue();
    assertThat(attemptsAt).containsExactly(0L);
    clock.advance(Duration.ofMillis(499));
    assertThat(attemptsAt).hasSize(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(attemptsAt).containsExactly(0L, 500_000_000L);
    clock.advance(Duration.ofMillis(500));
    assertThat(attemptsAt).containsExactly(0L, 500_000_000L, 1_000_000_000L);
    assertThat(result).isCompletedWithValue("ok");
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void cancellingTheExecutionCancelsItsPendingTimer() {
    CompletableFuture<String> result = failTwiceThenSucceed();
    clock.runDue();
    assertThat(clock.pendingTasks()).as("the first retry's delay").isEqualTo(1);
    result.cancel(true);
    assertThat(clock.pendingTasks()).isZero();
    clock.advance(Duration.ofSeconds(10));
    assertThat(attemptsAt).as("no retry after cancel").hasSize(1);
  }
}
