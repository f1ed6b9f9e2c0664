package dev.llmstream.benchmarks.harness;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed-capacity array of samples that any number of threads may add to; read it after the writers are
 * done (after a latch or a join). Samples beyond the capacity are counted but dropped.
 */
public final class LongSamples {
  private final long[] values;
  private final AtomicInteger size = new AtomicInteger();

  /**
   * Creates an empty set of samples.
   *
   * @param capacity the most samples kept
   */
  public LongSamples(int capacity) {
    this.values = new long[capacity];
  }

  /** Adds one sample. Thread-safe. */
  public void add(long value) {
    int i = size.getAndIncrement();
    if (i < values.length) {
      values[i] = value;
    }
  }

  /** Samples added (including dropped ones). */
  public int count() {
    return size.get();
  }

  /** Forgets all samples. */
  public void clear() {
    size.set(0);
  }

  /** The sorted samples kept so far. */
  public long[] sorted() {
    long[] copy = Arrays.copyOf(values, Math.min(size.get(), values.length));
    Arrays.sort(copy);
    return copy;
  }

  /**
   * A percentile of sorted samples (nearest rank).
   *
   * @param sorted from {@link #sorted()}
   * @param p from 0 to 100
   * @return the value, or {@code NaN} if there are none
   */
  public static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }
}
