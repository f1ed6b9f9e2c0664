package dev.llmstream.core;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A virtual-time {@link StreamScheduler} for tests: time only moves in {@link #advance(Duration)}, which
 * runs every task that falls due, in time order (ties in scheduling order), on the calling thread and
 * outside any lock. Thread-safe.
 */
final class ManualScheduler implements StreamScheduler {
  private final Object lock = new Object();
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long now = 1_000_000_000L; // not zero, to catch code that treats 0 as "never"
  private long seq;
  private int scheduled;

  @Override
  public long nanoTime() {
    synchronized (lock) {
      return now;
    }
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    synchronized (lock) {
      Task t = new Task(now + Math.max(0, delay.toNanos()), seq++, task);
      tasks.add(t);
      scheduled++;
      return () -> {
        synchronized (lock) {
          return tasks.remove(t);
        }
      };
    }
  }

  /** Moves time forward by {@code d}, running due tasks at their due time. */
  void advance(Duration d) {
    long target;
    synchronized (lock) {
      target = now + d.toNanos();
    }
    for (; ; ) {
      Task next;
      synchronized (lock) {
        next = tasks.peek();
        if (next == null || next.due > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = Math.max(now, next.due);
      }
      next.action.run();
    }
  }

  /** Runs tasks due now (zero-delay tasks) without moving time. */
  void runDue() {
    advance(Duration.ZERO);
  }

  /** Tasks waiting to run. */
  int pendingTasks() {
    synchronized (lock) {
      return tasks.size();
    }
  }

  /** Tasks scheduled since creation. */
  int scheduledCount() {
    synchronized (lock) {
      return scheduled;
    }
  }

  private static final class Task {
    final long due;
    final long seq;
    final Runnable action;

    Task(long due, long seq, Runnable action) {
      this.due = due;
      this.seq = seq;
      this.action = action;
    }
  }
}
