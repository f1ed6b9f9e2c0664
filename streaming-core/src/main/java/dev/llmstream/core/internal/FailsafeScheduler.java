package dev.llmstream.core.internal;

import dev.llmstream.core.StreamScheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Failsafe's {@link dev.failsafe.spi.Scheduler} SPI on the library's injected {@link StreamScheduler}, so
 * that Failsafe's asynchronous executions (retry delays included) run on the stream's clock: on a
 * virtual clock in tests, deterministically, with no thread of Failsafe's own. The retry model
 * ({@link dev.llmstream.core.internal.retry.RetryModel}) executes both of its phases through it.
 *
 * <p>With {@link #FailsafeScheduler(StreamScheduler)} every task, the first attempt's zero delay included,
 * goes through {@link StreamScheduler#schedule}: on a virtual clock nothing runs until the clock is advanced
 * (or its due tasks are run). {@link #startingInline(StreamScheduler)} runs the first zero-delay task (the
 * execution's first attempt, which Failsafe always hands to its scheduler) in the calling thread instead, so
 * a stream's first request goes out when the stream starts, as without a retry policy; later tasks (the
 * retries, whatever their delay) go through the clock. Use one such instance per execution. Its
 * {@code afterTask} runs after each task, once Failsafe has registered on what the attempt returned: the
 * place to start an attempt whose failure may be recorded at once (completing the attempt's stage inside
 * Failsafe's own call would leave the decision until that call returns).
 *
 * <p>Cancelling the returned future cancels the timer (Failsafe does so when the execution is cancelled
 * or aborted). What a task throws completes its future exceptionally (Failsafe records failures itself; an
 * {@link InterruptedException} restores the interrupt flag). Thread-safe; holds no lock while running a
 * task.
 */
public final class FailsafeScheduler implements dev.failsafe.spi.Scheduler {
  private final StreamScheduler clock;
  private final AtomicBoolean inlineFirst;
  private final Runnable afterTask;

  /**
   * Creates the adapter; every task goes through the clock.
   *
   * @param clock the stream's clock and timer
   */
  public FailsafeScheduler(StreamScheduler clock) {
    this(clock, false, () -> {});
  }

  private FailsafeScheduler(StreamScheduler clock, boolean inlineFirst, Runnable afterTask) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.inlineFirst = new AtomicBoolean(inlineFirst);
    this.afterTask = Objects.requireNonNull(afterTask, "afterTask");
  }

  /**
   * An adapter for one execution that runs its first zero-delay task (the first attempt) in the calling
   * thread.
   *
   * @param clock the stream's clock and timer
   * @param afterTask run after each task (in the same thread)
   * @return the adapter
   */
  public static FailsafeScheduler startingInline(StreamScheduler clock, Runnable afterTask) {
    return new FailsafeScheduler(clock, true, afterTask);
  }

  @Override
  public ScheduledFuture<?> schedule(Callable<?> callable, long delay, TimeUnit unit) {
    long nanos = Math.max(0, unit.toNanos(delay));
    Task task = new Task(clock, callable, clock.nanoTime() + nanos);
    if (inlineFirst.get() && inlineFirst.getAndSet(false) && nanos == 0) {
      task.run();
      afterTask.run();
      return task;
    }
    task.arm(clock.schedule(Duration.ofNanos(nanos), () -> {
      task.run();
      afterTask.run();
    }));
    return task;
  }

  /** One scheduled callable: a future that completes when it has run, cancellable until then. */
  private static final class Task extends CompletableFuture<Object> implements ScheduledFuture<Object> {
    private final StreamScheduler clock;
    private final Callable<?> callable;
    private final long dueAt;
    private volatile @Nullable Future<?> timer;

    Task(StreamScheduler clock, Callable<?> callable, long dueAt) {
      this.clock = clock;
      this.callable = callable;
      this.dueAt = dueAt;
    }

    void arm(Future<?> t) {
      timer = t;
      if (isCancelled()) {
        t.cancel(false); // cancelled between schedule() and here
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
      Future<?> t = timer;
      if (t != null) {
        t.cancel(false);
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
