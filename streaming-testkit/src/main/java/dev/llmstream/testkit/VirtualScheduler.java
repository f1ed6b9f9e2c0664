package dev.llmstream.testkit;

import dev.llmstream.core.StreamScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A {@link StreamScheduler} whose time only moves when a test calls {@link #advance(Duration)}, after
 * Caffeine's {@code FakeTicker}. Timers, timeouts, backoff and pacing are tested without sleeping:
 *
 * <pre>{@code
 * VirtualScheduler clock = new VirtualScheduler();
 * List<String> fired = new ArrayList<>();
 * clock.schedule(Duration.ofSeconds(2), () -> fired.add("timeout"));
 * clock.advance(Duration.ofMillis(1999));   // nothing yet
 * clock.advance(Duration.ofMillis(1));      // runs "timeout" on this thread
 * }</pre>
 *
 * <p><b>Order.</b> Due tasks run in order of their due time, tasks due at the same time in the order
 * they were scheduled. A task scheduled by a running task runs in the same {@code advance} call if it is
 * due by the target time. While a task runs, {@link #nanoTime()} reports its due time.
 *
 * <p><b>Threads.</b> Thread-safe: {@link #schedule}, {@link #nanoTime()}, {@link #pendingTasks()} and
 * cancelling may be called from any thread. Tasks run on the thread that calls {@code advance}, never
 * under a lock. {@code advance} itself must not be called concurrently or from inside a task (it throws
 * {@link IllegalStateException}). A task that throws ends that {@code advance} call with the exception;
 * the clock then stays at the failed task's due time and later tasks stay pending.
 *
 * <p><b>Waiting for the code under test.</b> When the code that schedules runs on other threads (an HTTP
 * client's, a server's), a test must know a timer is armed before it advances past it. The await methods
 * ({@link #awaitScheduled(int, Duration)}, {@link #awaitPendingBelow(Duration, Duration)},
 * {@link #nextSchedule()}) wait for that, in real time but bounded, failing with what was scheduled;
 * {@link #scheduledDelays()} shows every delay asked for.
 */
public final class VirtualScheduler implements StreamScheduler {
  private final Object lock = new Object();
  private final PriorityQueue<Task> queue = new PriorityQueue<>(); // guarded by lock
  private long now; // guarded by lock
  private long sequence; // guarded by lock
  private final List<Duration> scheduled = new ArrayList<>(); // guarded by lock
  private final List<CompletableFuture<Void>> onSchedule = new ArrayList<>(); // guarded by lock
  private final AtomicBoolean advancing = new AtomicBoolean();

  /** Creates a scheduler whose clock starts at zero. */
  public VirtualScheduler() {}

  @Override
  public long nanoTime() {
    synchronized (lock) {
      return now;
    }
  }

  /**
   * Schedules {@code task} at {@link #nanoTime()} plus {@code delay}; it runs during a later
   * {@link #advance(Duration)} (or {@link #runDue()} for a zero delay).
   *
   * @throws NullPointerException if an argument is null
   */
  @Override
  public Future<?> schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(task, "task");
    long nanos = Math.max(0, saturatedNanos(delay));
    Task t;
    List<CompletableFuture<Void>> waiters;
    synchronized (lock) {
      long due = now + nanos < now ? Long.MAX_VALUE : now + nanos;
      t = new Task(due, sequence++, delay, task);
      queue.add(t);
      scheduled.add(delay);
      waiters = new ArrayList<>(onSchedule);
      onSchedule.clear();
      lock.notifyAll();
    }
    waiters.forEach(w -> w.complete(null)); // outside the lock: a waiter's continuation may run here
    return t;
  }

  /**
   * Moves the clock forward by {@code duration}, running every task that falls due on the way, in order.
   *
   * @param duration how far to move; zero runs the tasks already due
   * @throws NullPointerException if {@code duration} is null
   * @throws IllegalArgumentException if {@code duration} is negative
   * @throws IllegalStateException if called concurrently or from inside a task
   */
  public void advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, was " + duration);
    }
    if (!advancing.compareAndSet(false, true)) {
      throw new IllegalStateException("advance must not be called concurrently or from a task");
    }
    try {
      long target;
      synchronized (lock) {
        long n = saturatedNanos(duration);
        target = now + n < now ? Long.MAX_VALUE : now + n;
      }
      while (true) {
        Task next;
        synchronized (lock) {
          Task head = queue.peek();
          if (head == null || head.due > target) {
            now = Math.max(now, target);
            return;
          }
          next = queue.poll();
          now = Math.max(now, next.due);
        }
        next.run(); // outside the lock
      }
    } finally {
      advancing.set(false);
    }
  }

  /** Runs the tasks that are already due, without moving the clock; same as {@code advance(ZERO)}. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /**
   * The number of scheduled tasks that have neither run nor been cancelled.
   *
   * @return the count
   */
  public int pendingTasks() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /**
   * How long until the next pending task is due, or {@code null} when none is pending.
   *
   * @return the delay (zero when a task is already due), or {@code null}
   */
  public @org.jspecify.annotations.Nullable Duration nextDelay() {
    synchronized (lock) {
      Task head = queue.peek();
      return head == null ? null : Duration.ofNanos(Math.max(0, head.due - now));
    }
  }

  /**
   * Every delay ever passed to {@link #schedule}, in order (a copy), including tasks since run or
   * cancelled: the backoff a retry asked for, for example.
   *
   * @return the delays
   */
  public List<Duration> scheduledDelays() {
    synchronized (lock) {
      return List.copyOf(scheduled);
    }
  }

  /**
   * A future completed by the next call to {@link #schedule} after this one, on the scheduling thread.
   *
   * @return the future
   */
  public CompletableFuture<Void> nextSchedule() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (lock) {
      onSchedule.add(f);
    }
    return f;
  }

  /**
   * Waits until at least {@code n} tasks were scheduled in total (see {@link #scheduledDelays()}).
   *
   * @param n the number of {@link #schedule} calls
   * @param timeout the longest real-time wait
   * @return this scheduler
   * @throws AssertionError on timeout or interrupt (the interrupt flag is restored)
   */
  public VirtualScheduler awaitScheduled(int n, Duration timeout) {
    await(timeout, () -> scheduled.size() >= n, () -> n + " scheduled tasks; " + scheduled.size() + " were");
    return this;
  }

  /**
   * Waits until a pending task exists that was scheduled with a delay below {@code limit} (a retry's
   * backoff rather than a long timeout, for example), and returns that delay.
   *
   * @param limit the exclusive upper bound of the delay
   * @param timeout the longest real-time wait
   * @return the delay the task was scheduled with
   * @throws AssertionError on timeout or interrupt (the interrupt flag is restored)
   */
  public Duration awaitPendingBelow(Duration limit, Duration timeout) {
    Duration[] found = new Duration[1];
    await(timeout, () -> {
      for (Task t : queue) {
        if (t.delay.compareTo(limit) < 0) {
          found[0] = t.delay;
          return true;
        }
      }
      return false;
    }, () -> "a pending task with a delay below " + limit + "; pending: " + queue.size());
    return found[0];
  }

  private void await(Duration timeout, BooleanSupplier done, java.util.function.Supplier<String> what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!done.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout + " waiting for " + what.get());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + what.get(), e);
        }
      }
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "VirtualScheduler[now=" + Duration.ofNanos(now) + ", pending=" + queue.size() + "]";
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** A scheduled task and its future: done once it ran (or threw), or cancelled while still queued. */
  private final class Task implements Comparable<Task>, Future<Void> {
    final long due;
    final long seq;
    final Duration delay;
    final Runnable action;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    Task(long due, long seq, Duration delay, Runnable action) {
      this.due = due;
      this.seq = seq;
      this.delay = delay;
      this.action = action;
    }

    void run() {
      try {
        action.run();
      } catch (RuntimeException | Error e) {
        done.completeExceptionally(e);
        throw e; // ends the advance call, as documented
      }
      done.complete(null);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (lock) {
        boolean removed = queue.remove(this);
        lock.notifyAll();
        if (!removed) {
          return false;
        }
      }
      return done.cancel(false);
    }

    @Override
    public boolean isCancelled() {
      return done.isCancelled();
    }

    @Override
    public boolean isDone() {
      return done.isDone();
    }

    @Override
    public Void get() throws InterruptedException, ExecutionException {
      return done.get();
    }

    @Override
    public Void get(long timeout, TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException {
      return done.get(timeout, unit);
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
