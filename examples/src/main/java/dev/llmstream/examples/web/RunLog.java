package dev.llmstream.examples.web;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The events of one running answer, kept so that a browser that reloads (or whose connection drops) can
 * resume from the last event id it saw. Bounded: past {@link #MAX_EVENTS} the run is failed rather than
 * growing without limit. Thread-safe: one writer (the answer's sink), any number of readers (browser
 * connections) that wait for new events.
 */
final class RunLog {
  static final int MAX_EVENTS = 20_000;

  /** One server-sent event. */
  record Event(long id, String type, String json) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Event> events = new ArrayList<>();
  private boolean done;

  /**
   * Appends an event; returns false when the log is full or closed.
   *
   * @param type the SSE event name
   * @param json the data
   * @return whether it was appended
   */
  boolean append(String type, String json) {
    lock.lock();
    try {
      if (done || events.size() >= MAX_EVENTS) {
        return false;
      }
      events.add(new Event(events.size() + 1L, type, json));
      if (type.equals("done")) {
        done = true;
      }
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the events after {@code lastId}, waiting up to {@code waitMillis} for one to arrive.
   *
   * @param lastId the last event id the reader has
   * @param waitMillis how long to wait when there is nothing new
   * @return the new events (empty after a timeout)
   * @throws InterruptedException if interrupted while waiting
   */
  List<Event> after(long lastId, long waitMillis) throws InterruptedException {
    lock.lock();
    try {
      long nanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
      while (events.size() <= lastId && !done && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
      int from = (int) Math.min(Math.max(lastId, 0), events.size());
      return new ArrayList<>(events.subList(from, events.size()));
    } finally {
      lock.unlock();
    }
  }

  boolean isDone() {
    lock.lock();
    try {
      return done;
    } finally {
      lock.unlock();
    }
  }
}
