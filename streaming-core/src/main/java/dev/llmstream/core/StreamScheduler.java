package dev.llmstream.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The clock and timer every time-based feature uses (buffer windows, first-token and idle timeouts,
 * retry backoff). Production code uses {@link #system()}; tests pass a virtual scheduler whose time they
 * advance by hand, so timing is tested without sleeping.
 *
 * <p>Implementations are thread-safe. Tasks must be short and must not block: they run on a timer or
 * pool thread.
 */
public interface StreamScheduler {

  /**
   * The current time of this scheduler, in nanoseconds, for measuring intervals only (like
   * {@link System#nanoTime()}).
   *
   * @return the current time
   */
  long nanoTime();

  /**
   * Runs {@code task} once after {@code delay}.
   *
   * <p>The returned future behaves like one from {@link ScheduledExecutorService#schedule(Runnable, long,
   * TimeUnit)}: it completes with {@code null} once the task has run (exceptionally with what the task
   * threw), and {@link Future#cancel(boolean) cancel(false)} stops a task that has not started; only the
   * call that stopped it returns {@code true}, later calls are no-ops. The library always cancels with
   * {@code false} (a running task is never interrupted) and never blocks on {@link Future#get()}.
   *
   * @param delay how long to wait; zero or negative runs it as soon as possible
   * @param task the action
   * @return the pending task, to cancel it
   */
  Future<?> schedule(Duration delay, Runnable task);

  /**
   * The system scheduler: {@link System#nanoTime()} and the JDK's shared delayed executor (tasks run on
   * the common {@link java.util.concurrent.ForkJoinPool}). It owns no threads of its own and needs no
   * closing. A cancelled task releases its action at once.
   *
   * @return the system scheduler
   */
  static StreamScheduler system() {
    return SystemScheduler.INSTANCE;
  }

  /**
   * A scheduler on the caller's executor, with {@link System#nanoTime()} as its clock. The caller owns
   * (and shuts down) the executor; once it is shut down, a task scheduled here is dropped and its future is
   * returned already cancelled (streams and stores still timing something while their owner closes do not
   * fail on it). A running executor that rejects a task still throws its {@code RejectedExecutionException}.
   *
   * @param executor the executor that runs the tasks
   * @return the scheduler
   * @throws NullPointerException if {@code executor} is null
   */
  static StreamScheduler of(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return new SystemScheduler(executor);
  }
}

/**
 * The JDK-clocked scheduler: {@link StreamScheduler#system()} (the shared delayed executor) and
 * {@link StreamScheduler#of} (the caller's executor). The only implementation in the library; tests use
 * the testkit's {@code VirtualScheduler}. Immutable.
 */
final class SystemScheduler implements StreamScheduler {
  static final SystemScheduler INSTANCE = new SystemScheduler(null);

  private final @Nullable ScheduledExecutorService executor;

  SystemScheduler(@Nullable ScheduledExecutorService executor) {
    this.executor = executor;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Future<?> schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(task, "task");
    long nanos = Math.max(0, delay.toNanos());
    ScheduledExecutorService own = executor;
    if (own != null) {
      if (own.isShutdown()) { // its owner closed it: nothing is left to time (see StreamScheduler.of)
        FutureTask<@Nullable Void> dropped = new FutureTask<>(task, null);
        dropped.cancel(false);
        return dropped;
      }
      return own.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }
    // A cancelled FutureTask drops its action at once, so the JDK's delay queue only retains a small
    // shell until the delay passes; it does not run once cancelled.
    FutureTask<@Nullable Void> future = new FutureTask<>(task, null);
    CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS).execute(future);
    return future;
  }

  @Override
  public String toString() {
    return executor == null
        ? "StreamScheduler.system()"
        : "StreamScheduler.of(" + executor.getClass().getSimpleName() + ")";
  }
}
