package dev.llmstream.groq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The provider's delivery pool: its thread count does not grow with the work, it adds a thread only while
 * every worker is held (no task finished for the stuck time, on the virtual clock), returns to its size
 * afterwards, and runs a task on the caller rather than lose it when full.
 */
class DeliveryExecutorTest {
  private static final Duration STUCK = Duration.ofMillis(50);
  private final VirtualScheduler clock = new VirtualScheduler();

  private static void await(CountDownLatch latch) throws InterruptedException {
    assertThat(latch.await(10, TimeUnit.SECONDS)).as("ran in time").isTrue();
  }

  /** Runs a task that holds its worker until the returned latch is counted down; returns once it runs. */
  private static CountDownLatch holdAWorker(DeliveryExecutor e) throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    e.execute(() -> {
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    });
    await(running);
    return release;
  }

  @Test
  void manyShortTasksRunOnTheFixedWorkers() throws Exception {
    DeliveryExecutor e = new DeliveryExecutor(2, 10, 100_000, STUCK, clock);
    int n = 20_000;
    CountDownLatch done = new CountDownLatch(n);
    Set<String> names = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < n; i++) {
      e.execute(() -> {
        names.add(Thread.currentThread().getName());
        done.countDown();
      });
    }
    await(done);
    assertThat(names).hasSizeLessThanOrEqualTo(2).allSatisfy(t -> assertThat(t).startsWith("llmstream-delivery-"));
    assertThat(e.threads()).isLessThanOrEqualTo(2);
  }

  @Test
  void aThreadIsAddedOnlyWhileEveryWorkerIsHeldAndTheSizeReturnsAfterwards() throws Exception {
    DeliveryExecutor e = new DeliveryExecutor(1, 3, 16, STUCK, clock);
    CountDownLatch release = holdAWorker(e); // a subscriber blocked in onNext
    CountDownLatch other = new CountDownLatch(1);
    e.execute(other::countDown); // another stream's read waits behind it
    assertThat(other.await(100, TimeUnit.MILLISECONDS)).as("waits while the only worker is held").isFalse();
    assertThat(e.threads()).isEqualTo(1);

    clock.advance(STUCK); // no task finished for the stuck time while one waits: one more worker
    await(other);
    assertThat(e.threads()).isEqualTo(2);
    assertThat(e.toString()).contains("core=2");

    release.countDown();
    clock.advance(STUCK); // nothing waits: back to one worker (the extra one ends when idle)
    clock.advance(STUCK);
    CountDownLatch later = new CountDownLatch(1);
    e.execute(later::countDown);
    await(later);
    assertThat(e.toString()).contains("core=1");
  }

  @Test
  void aBusyPoolThatKeepsFinishingTasksDoesNotGrow() throws Exception {
    DeliveryExecutor e = new DeliveryExecutor(1, 3, 1_000, STUCK, clock);
    CountDownLatch gate = holdAWorker(e);
    CountDownLatch rest = new CountDownLatch(2);
    e.execute(rest::countDown);
    e.execute(rest::countDown);
    gate.countDown(); // the worker finishes tasks before the check looks
    await(rest);
    clock.advance(STUCK);
    assertThat(e.threads()).isEqualTo(1);
  }

  @Test
  void withTheQueueFullAndNoThreadFreeATaskRunsOnTheCaller() throws Exception {
    DeliveryExecutor e = new DeliveryExecutor(1, 1, 1, STUCK, clock);
    CountDownLatch release = holdAWorker(e);
    CountDownLatch queued = new CountDownLatch(1);
    e.execute(queued::countDown); // fills the queue of one
    String[] ranOn = new String[1];
    e.execute(() -> ranOn[0] = Thread.currentThread().getName());
    assertThat(ranOn[0]).isEqualTo(Thread.currentThread().getName());
    release.countDown();
    await(queued);
  }
}
