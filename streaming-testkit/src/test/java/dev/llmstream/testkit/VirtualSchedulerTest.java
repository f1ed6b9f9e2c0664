package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.StreamScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {
  @Test
  void runsDueTasksInOrderOfTimeThenScheduling() {
    VirtualScheduler clock = new VirtualScheduler();
    List<String> ran = new ArrayList<>();
    clock.schedule(Duration.ofMillis(20), () -> ran.add("b@" + clock.nanoTime()));
    clock.schedule(Duration.ofMillis(10), () -> ran.add("a@" + clock.nanoTime()));
    clock.schedule(Duration.ofMillis(20), () -> ran.add("c@" + clock.nanoTime()));
    clock.advance(Duration.ofMillis(9));
    assertThat(ran).isEmpty();
    assertThat(clock.nanoTime()).isEqualTo(9_000_000);
    clock.advance(Duration.ofMillis(11));
    assertThat(ran).containsExactly("a@10000000", "b@20000000", "c@20000000");
    assertThat(clock.pendingTasks()).isZero();
    assertThat(clock.nextDelay()).isNull();
  }

  @Test
  void tasksScheduledByTasksRunInTheSameAdvanceIfDue() {
    VirtualScheduler clock = new VirtualScheduler();
    List<Long> ran = new ArrayList<>();
    clock.schedule(Duration.ofMillis(1), () -> {
      ran.add(clock.nanoTime());
      clock.schedule(Duration.ofMillis(1), () -> ran.add(clock.nanoTime()));
      clock.schedule(Duration.ofMillis(100), () -> ran.add(clock.nanoTime()));
    });
    clock.advance(Duration.ofMillis(5));
    assertThat(ran).containsExactly(1_000_000L, 2_000_000L);
    assertThat(clock.pendingTasks()).isEqualTo(1);
    assertThat(clock.nextDelay()).isEqualTo(Duration.ofMillis(96));
  }

  @Test
  void cancelPreventsTheTaskOnce() {
    VirtualScheduler clock = new VirtualScheduler();
    List<String> ran = new ArrayList<>();
    Future<?> c = clock.schedule(Duration.ofSeconds(1), () -> ran.add("x"));
    assertThat(c.cancel(false)).isTrue();
    assertThat(c.cancel(false)).isFalse();
    assertThat(c.isCancelled()).isTrue();
    clock.advance(Duration.ofSeconds(2));
    assertThat(ran).isEmpty();
  }

  @Test
  void theFutureIsDoneOnceTheTaskRanAndCannotBeCancelledThen() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    Future<?> f = clock.schedule(Duration.ofSeconds(1), () -> {});
    assertThat(f.isDone()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(f.isDone()).isTrue();
    assertThat(f.get()).isNull();
    assertThat(f.cancel(false)).isFalse();
    assertThat(f.isCancelled()).isFalse();
  }

  @Test
  void zeroAndNegativeDelaysRunOnRunDue() {
    VirtualScheduler clock = new VirtualScheduler();
    List<String> ran = new ArrayList<>();
    clock.schedule(Duration.ofMillis(-5), () -> ran.add("neg"));
    clock.schedule(Duration.ZERO, () -> ran.add("zero"));
    clock.runDue();
    assertThat(ran).containsExactly("neg", "zero");
    assertThat(clock.nanoTime()).isZero();
  }

  @Test
  void advanceFromATaskOrNegativeIsRejected() {
    VirtualScheduler clock = new VirtualScheduler();
    List<Throwable> errors = new ArrayList<>();
    clock.schedule(Duration.ZERO, () -> {
      try {
        clock.advance(Duration.ofMillis(1));
      } catch (IllegalStateException e) {
        errors.add(e);
      }
    });
    clock.runDue();
    assertThat(errors).hasSize(1);
    assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void taskThatThrowsEndsAdvanceAndLeavesLaterTasksPending() {
    VirtualScheduler clock = new VirtualScheduler();
    clock.schedule(Duration.ofMillis(1), () -> {
      throw new IllegalStateException("boom");
    });
    clock.schedule(Duration.ofMillis(2), () -> {});
    assertThatThrownBy(() -> clock.advance(Duration.ofMillis(10))).hasMessage("boom");
    assertThat(clock.nanoTime()).isEqualTo(1_000_000);
    assertThat(clock.pendingTasks()).isEqualTo(1);
    clock.advance(Duration.ofMillis(10));
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void scheduleFromManyThreadsIsSafe() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch done = new CountDownLatch(4);
    int[] count = new int[1];
    for (int t = 0; t < 4; t++) {
      pool.execute(() -> {
        for (int i = 0; i < 1000; i++) {
          clock.schedule(Duration.ofMillis(i % 10), () -> count[0]++);
        }
        done.countDown();
      });
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    pool.shutdown();
    assertThat(clock.pendingTasks()).isEqualTo(4000);
    clock.advance(Duration.ofMillis(10));
    assertThat(count[0]).isEqualTo(4000);
  }
}
