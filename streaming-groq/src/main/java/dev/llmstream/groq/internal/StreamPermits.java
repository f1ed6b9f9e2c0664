package dev.llmstream.groq.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the streams of one provider that hold a permit (started and not yet ended) against an optional
 * maximum. Never blocks: {@link #tryAcquire()} either takes a permit at once or refuses. Thread-safe.
 */
public final class StreamPermits {
  private final int max;
  private final AtomicInteger active = new AtomicInteger();

  /**
   * Creates the counter.
   *
   * @param max the most concurrent streams, or {@link Integer#MAX_VALUE} for no limit
   */
  public StreamPermits(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1, was " + max);
    }
    this.max = max;
  }

  /**
   * Takes a permit if fewer than {@link #max()} are held.
   *
   * @return {@code true} if a permit was taken (release it exactly once)
   */
  public boolean tryAcquire() {
    for (; ; ) {
      int n = active.get();
      if (n >= max) {
        return false;
      }
      if (active.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Returns a permit taken with {@link #tryAcquire()}. */
  public void release() {
    active.decrementAndGet();
  }

  /**
   * The permits held now.
   *
   * @return the number of streams running
   */
  public int active() {
    return active.get();
  }

  /**
   * The maximum.
   *
   * @return the limit, {@link Integer#MAX_VALUE} when unlimited
   */
  public int max() {
    return max;
  }

  @Override
  public String toString() {
    return "StreamPermits[active=" + active.get() + ", max=" + (max == Integer.MAX_VALUE ? "unlimited" : max) + "]";
  }
}
