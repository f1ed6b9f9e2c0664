package dev.llmstream.core.internal;

import dev.llmstream.core.StreamScheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Failsafe's {@link dev.failsafe.spi.Scheduler} SPI on the library's injected {@link StreamScheduler}, so
 * that Failsafe's asynchronous executions (retry delays included) run on the stream's clock: on a
 * virtual clock in tests, deterministically, with no thread of Failsafe's own. This is the seam of the
 * retry model of issue #12 (item 1); the retry and recovery phases are not yet moved onto it.
 *
 * <p>Every task, the first attempt's zero delay included, goes through {@link StreamScheduler#schedule}:
 * on a virtual clock nothing runs until the clock is advanced (or its due tasks are run). Cancelling the
 * returned future cancels the timer (Failsafe does so when the execution is cancelled or aborted). What a
 * task throws completes its future exceptionally (Failsafe records failures itself; an
 * {@link InterruptedException} restores the interrupt flag). Thread-safe; holds no lock while running a
 * task.
 */
public final class FailsafeScheduler implements dev.failsafe.spi.Scheduler {
  private final StreamScheduler clock;

  /**
   * Creates the adapter.
   *
   * @param clock the stream's clock and timer
   */
  public FailsafeScheduler(StreamScheduler clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public ScheduledFuture<?> schedule(Callable<?> callable, long delay, TimeUnit unit) {
    long nanos = Math.max(0, unit.toNanos(delay));
    Task task = new Task(clock, callable, clock.nanoTime() + nanos);
    task.arm(clock.schedule(Duration.ofNanos(nanos), task::run));
    return task;
  }

  /** One scheduled callable: a future that completes when it has run, cancellable until then. */
  private static final class Task extends CompletableFuture<Object> implements ScheduledFuture<Object> {
    private final StreamScheduler clock;
    private final Callable<?> callable;
    private final long dueAt;
    private volatile StreamScheduler.@Nullable Cancellable timer;

    Task(StreamScheduler clock, Callable<?> callable, long dueAt) {
      this.clock = clock;
      this.callable = callable;
      this.dueAt = dueAt;
    }

    void arm(StreamScheduler.Cancellable t) {
      timer = t;
      if (isCancelled()) {
        t.cancel(); // cancelled between schedule() and here
      }
    }

    void run() {
      if (isDone()) {
        return;
      }
      try {
        complete(callable.call());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        completeExceptionally(e);
      } catch (Exception e) {
        completeExceptionally(e);
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      StreamScheduler.Cancellable t = timer;
      if (t != null) {
        t.cancel();
      }
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueAt - clock.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
