package dev.llmstream.spring.internal;

import dev.llmstream.core.StreamScheduler;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Timers on a thread of their own ({@code llmstream-timers}, a daemon, started on the first task): with a
 * shared store, lease renewals must not wait behind other work on the common pool (one thread on a 2-core
 * machine; see {@code streaming-redis/README.md}). A holder, not a scheduler of its own: {@link #scheduler()}
 * is core's {@link StreamScheduler#of} on this thread, which drops tasks scheduled after {@link #close()}
 * (the context is closing: nothing is left to time). Owned by the Spring context: closed with it, after the
 * store and the runs that use it. Thread-safe.
 */
public final class TimerThread implements AutoCloseable {
  private final ScheduledExecutorService executor;
  private final StreamScheduler scheduler;

  /** Creates the holder; the thread starts with the first task. */
  public TimerThread() {
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "llmstream-timers");
              t.setDaemon(true);
              return t;
            });
    this.scheduler = StreamScheduler.of(executor);
  }

  /**
   * The scheduler running on this thread.
   *
   * @return the scheduler, valid until {@link #close()} (then it drops what it is given)
   */
  public StreamScheduler scheduler() {
    return scheduler;
  }

  /** Stops the thread; pending timers are dropped, and so are tasks scheduled from now on. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
