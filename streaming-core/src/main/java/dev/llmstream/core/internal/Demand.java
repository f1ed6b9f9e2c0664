package dev.llmstream.core.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Reactive Streams demand accounting shared by the publishers: adding with a cap at
 * {@link Long#MAX_VALUE} (unbounded), consuming, and the rule 3.9 error.
 */
public final class Demand {
  private Demand() {
    throw new AssertionError("no instances");
  }

  /**
   * Adds {@code n} to {@code requested}, capping at {@link Long#MAX_VALUE} (which then means unbounded).
   *
   * @param requested the outstanding demand
   * @param n a positive amount
   */
  public static void add(AtomicLong requested, long n) {
    for (; ; ) {
      long r = requested.get();
      if (r == Long.MAX_VALUE) {
        return;
      }
      long u = r + n;
      if (requested.compareAndSet(r, u < 0 ? Long.MAX_VALUE : u)) {
        return;
      }
    }
  }

  /**
   * Takes {@code n} delivered items off {@code requested}, unless demand is unbounded.
   *
   * @param requested the outstanding demand
   * @param n how many were delivered
   */
  public static void consume(AtomicLong requested, long n) {
    for (; ; ) {
      long r = requested.get();
      if (r == Long.MAX_VALUE || requested.compareAndSet(r, r - n)) {
        return;
      }
    }
  }

  /**
   * The error a publisher signals for {@code request(n)} with {@code n <= 0}.
   *
   * @param n the bad amount
   * @return the exception to pass to {@code onError}
   */
  public static IllegalArgumentException nonPositive(long n) {
    return new IllegalArgumentException("Reactive Streams rule 3.9: request(n) needs n > 0, was " + n);
  }
}
