package dev.llmstream.groq;

import dev.llmstream.core.StreamScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/** A scheduler whose time moves only when a test calls {@link #advance(Duration)}. Thread-safe. */
final class VirtualScheduler implements StreamScheduler {
  private final Object lock = new Object();
  private long now = 1_000_000_000L;
  private long seq;
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private final List<Duration> scheduled = new ArrayList<>();
  private final List<java.util.concurrent.CompletableFuture<Void>> onSchedule = new ArrayList<>();

  private static final class Task {
    final long at;
    final long seq;
    final Duration delay;
    final Runnable action;
    boolean cancelled;

    Task(long at, long seq, Duration delay, Runnable action) {
      this.at = at;
      this.seq = seq;
      this.delay = delay;
      this.action = action;
    }
  }

  @Override
  public long nanoTime() {
    synchronized (lock) {
      return now;
    }
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Task t;
    List<java.util.concurrent.CompletableFuture<Void>> waiters;
    synchronized (lock) {
      t = new Task(now + Math.max(0, delay.toNanos()), seq++, delay, task);
      tasks.add(t);
      scheduled.add(delay);
      lock.notifyAll();
      waiters = new ArrayList<>(onSchedule);
      onSchedule.clear();
    }
    waiters.forEach(w -> w.complete(null));
    return () -> {
      synchronized (lock) {
        if (t.cancelled || !tasks.contains(t)) {
          return false;
        }
        t.cancelled = true;
        tasks.remove(t);
        lock.notifyAll();
        return true;
      }
    };
  }

  /** Moves time forward, running due tasks in order on this thread (outside the lock). */
  void advance(Duration d) {
    long target;
    synchronized (lock) {
      target = now + d.toNanos();
    }
    for (; ; ) {
      Task next;
      synchronized (lock) {
        next = tasks.peek();
        if (next == null || next.at > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = Math.max(now, next.at);
      }
      next.action.run();
    }
  }

  /** A future completed by the next {@link #schedule} call (made after this one). */
  java.util.concurrent.CompletableFuture<Void> nextSchedule() {
    java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
    synchronized (lock) {
      onSchedule.add(f);
    }
    return f;
  }

  /** Number of pending (not run, not cancelled) tasks. */
  int pending() {
    synchronized (lock) {
      return tasks.size();
    }
  }

  /** Every delay ever scheduled, in order. */
  List<Duration> scheduledDelays() {
    synchronized (lock) {
      return new ArrayList<>(scheduled);
    }
  }

  /**
   * Waits (bounded, real time) until a pending task whose delay is below {@code limit} exists, and
   * returns that delay.
   */
  Duration awaitPendingBelow(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (lock) {
      for (; ; ) {
        for (Task t : tasks) {
          if (t.delay.compareTo(limit) < 0) {
            return t.delay;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no task with a delay below " + limit + " was scheduled; pending: " + tasks.size());
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
  }

  /** Waits (bounded) until at least {@code n} tasks were scheduled in total. */
  void awaitScheduled(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (lock) {
      while (scheduled.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("only " + scheduled.size() + " tasks were scheduled, expected " + n);
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
  }
}
