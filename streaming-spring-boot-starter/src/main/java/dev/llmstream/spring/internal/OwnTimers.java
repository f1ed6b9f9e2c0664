package dev.llmstream.spring.internal;

import dev.llmstream.core.StreamScheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Timers on a thread of their own ({@code llmstream-timers}, a daemon): with a shared store, lease
 * renewals must not wait behind other work on the common pool (one thread on a 2-core machine; see
 * {@code streaming-redis/README.md}). Owned by the Spring context: closed with it, after the store and the
 * runs that use it. Thread-safe.
 */
public final class OwnTimers implements StreamScheduler, AutoCloseable {
  private final ScheduledExecutorService executor;
  private final StreamScheduler scheduler;

  /** Starts the timer thread lazily (on the first task). */
  public OwnTimers() {
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "llmstream-timers");
              t.setDaemon(true);
              return t;
            });
    this.scheduler = StreamScheduler.of(executor);
  }

  @Override
  public long nanoTime() {
    return scheduler.nanoTime();
  }

  /** After {@link #close()} a task is dropped (the context is closing: nothing is left to time). */
  @Override
  public Future<?> schedule(Duration delay, Runnable task) {
    try {
      return scheduler.schedule(delay, task);
    } catch (RejectedExecutionException closed) {
      return CompletableFuture.completedFuture(null); // dropped: nothing to cancel
    }
  }

  /** Stops the thread; pending timers are dropped, and so are tasks scheduled from now on. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
