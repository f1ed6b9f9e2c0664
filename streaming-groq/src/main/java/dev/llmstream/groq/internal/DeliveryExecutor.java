package dev.llmstream.groq.internal;

import dev.llmstream.core.StreamScheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor of the provider's own {@code HttpClient} with the default delivery: the threads that take
 * each network read off the client's I/O thread and run the stream's pipeline, the subscriber's
 * {@code onNext} included.
 *
 * <p><b>Why not the JDK's default</b> (a cached pool): it starts a thread whenever no idle one is waiting
 * at the instant of a hand-off, so on a saturated CPU its thread count grows with the load (57–186 threads
 * at 1,000–10,000 streams in the concurrency benchmark). <b>Why not a plain fixed pool</b>: a few
 * subscribers blocked in {@code onNext} would hold every worker and stall all streams of the provider,
 * which the cached pool prevents. So: a {@link ThreadPoolExecutor} with {@code workers} threads and a
 * bounded queue, plus one thing no JDK or library executor does (a {@code ForkJoinPool} compensates only
 * when the blocking code says so through a {@code ManagedBlocker}, which a subscriber does not):
 * <b>when tasks wait and no task has finished for {@code stuckAfter}</b>, every worker is held (blocked,
 * not just busy: a busy pool keeps finishing tasks) and one more worker is added, up to
 * {@code maxWorkers}; once nothing waits the pool returns to {@code workers} threads, the extra ones ending
 * when idle. With the queue full and every thread busy a task runs on the submitting thread (the client's
 * I/O thread): a moment of inline delivery, never a lost task.
 *
 * <p>Threads are daemon threads named {@code llmstream-delivery-N} and end after {@link #IDLE} without
 * work, so a provider that is dropped leaves none behind (no close needed). The progress check runs on
 * the given scheduler while tasks wait; the provider passes {@link StreamScheduler#system()} (the check is
 * about real threads, whatever clock its streams use), tests a virtual one. Thread-safe.
 */
public final class DeliveryExecutor implements Executor {
  /** How long an idle delivery thread is kept. */
  static final Duration IDLE = Duration.ofSeconds(30);

  private final ThreadPoolExecutor pool;
  private final ArrayBlockingQueue<Runnable> queue;
  private final StreamScheduler clock;
  private final Duration stuckAfter;
  private final int workers;
  private final int maxWorkers;
  private final AtomicBoolean checkArmed = new AtomicBoolean();
  private final Object sizing = new Object();
  private long completedAtLastCheck = -1; // guarded by sizing

  DeliveryExecutor(int workers, int maxWorkers, int queueCapacity, Duration stuckAfter, StreamScheduler clock) {
    if (workers < 1 || maxWorkers < workers || queueCapacity < 1) {
      throw new IllegalArgumentException(
          "workers " + workers + ", maxWorkers " + maxWorkers + ", queueCapacity " + queueCapacity);
    }
    this.workers = workers;
    this.maxWorkers = maxWorkers;
    this.stuckAfter = Objects.requireNonNull(stuckAfter, "stuckAfter");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    AtomicInteger names = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(workers, maxWorkers, IDLE.toMillis(), TimeUnit.MILLISECONDS, queue, r -> {
      Thread t = new Thread(r, "llmstream-delivery-" + names.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * The provider's default: as many workers as processors (at least 2), up to 64 more while workers are
   * held, 4,096 queued tasks, a worker counted as held after 50 ms without any task finishing.
   *
   * @return a new executor
   */
  public static DeliveryExecutor forProvider() {
    int cpus = Math.max(2, Runtime.getRuntime().availableProcessors());
    return new DeliveryExecutor(cpus, cpus + 64, 4096, Duration.ofMillis(50), StreamScheduler.system());
  }

  @Override
  public void execute(Runnable task) {
    pool.execute(task);
    // under load a check is already armed: no look at the queue (its size takes the queue's lock)
    if (!checkArmed.get() && !queue.isEmpty() && checkArmed.compareAndSet(false, true)) {
      synchronized (sizing) {
        completedAtLastCheck = pool.getCompletedTaskCount();
      }
      clock.schedule(stuckAfter, this::check);
    }
  }

  /** Tasks were waiting {@code stuckAfter} ago: adds a worker if none finished since; re-arms while any wait. */
  private void check() {
    boolean waiting = !queue.isEmpty();
    synchronized (sizing) {
      long completed = pool.getCompletedTaskCount();
      int core = pool.getCorePoolSize();
      if (waiting && completed == completedAtLastCheck && core < maxWorkers) {
        pool.setCorePoolSize(core + 1); // starts a thread for the queued tasks
      } else if (!waiting && core > workers) {
        pool.setCorePoolSize(workers); // the extra threads end when idle
      }
      completedAtLastCheck = completed;
    }
    if (waiting || pool.getCorePoolSize() > workers) {
      clock.schedule(stuckAfter, this::check);
    } else {
      checkArmed.set(false);
      if (!queue.isEmpty() && checkArmed.compareAndSet(false, true)) { // queued since the look above
        clock.schedule(stuckAfter, this::check);
      }
    }
  }

  /** Live threads of the pool (for tests and diagnostics). */
  int threads() {
    return pool.getPoolSize();
  }

  @Override
  public String toString() {
    return "DeliveryExecutor[workers=" + workers + ", core=" + pool.getCorePoolSize() + ", threads="
        + pool.getPoolSize() + ", max=" + maxWorkers + "]";
  }
}
