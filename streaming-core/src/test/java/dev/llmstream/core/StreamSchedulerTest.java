package dev.llmstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The JDK-clocked schedulers: tasks run on the given executor; a closed owner's executor drops tasks. */
class StreamSchedulerTest {

  @Test
  void ofRunsTasksOnTheCallersExecutor() throws Exception {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "own-timer"));
    try {
      CountDownLatch ran = new CountDownLatch(1);
      String[] thread = new String[1];
      StreamScheduler.of(executor).schedule(Duration.ofMillis(1), () -> {
        thread[0] = Thread.currentThread().getName();
        ran.countDown();
      });
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(thread[0]).isEqualTo("own-timer");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void aTaskScheduledAfterTheOwnerShutTheExecutorIsDroppedNotThrown() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    StreamScheduler scheduler = StreamScheduler.of(executor);
    executor.shutdownNow();
    AtomicBoolean ran = new AtomicBoolean();
    Future<?> future = scheduler.schedule(Duration.ZERO, () -> ran.set(true));
    assertThat(future.isCancelled()).isTrue();
    assertThat(future.isDone()).isTrue();
    assertThat(ran).isFalse();
  }

  @Test
  void aRunningExecutorThatRejectsStillThrows() {
    // a rejection while running is the owner's configuration (a saturated executor), not a close: it surfaces
    ScheduledThreadPoolExecutor rejecting = new ScheduledThreadPoolExecutor(1) {
      @Override
      public java.util.concurrent.ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        throw new RejectedExecutionException("full");
      }
    };
    try {
      assertThatThrownBy(() -> StreamScheduler.of(rejecting).schedule(Duration.ZERO, () -> {}))
          .isInstanceOf(RejectedExecutionException.class).hasMessage("full");
    } finally {
      rejecting.shutdownNow();
    }
  }
}
