package dev.llmstream.benchmarks.harness;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scenario metrics a benchmark publishes for {@link dev.llmstream.benchmarks.StreamMetricsProfiler}, which
 * reports them as secondary results of the iteration (JMH has no other channel for a p99 of something that
 * is not the benchmark method's own time). Also printed, so they show without the profiler.
 *
 * <p>The one piece of static mutable state of the harness: the benchmark and the profiler live in the same
 * forked JVM but JMH gives them no shared object. Thread-safe.
 */
public final class Published {
  private static final Map<String, Metric> METRICS = new LinkedHashMap<>();

  private Published() {
    throw new AssertionError("no instances");
  }

  /** One metric value. */
  public record Metric(String name, double value, String unit) {}

  /**
   * Publishes a value for the current iteration (the last value of a name wins) and prints it.
   *
   * @param name the metric name, such as {@code lag.p99}
   * @param value the value
   * @param unit the unit, such as {@code ms}
   */
  public static void put(String name, double value, String unit) {
    synchronized (METRICS) {
      METRICS.put(name, new Metric(name, value, unit));
    }
    System.out.printf("  [metric] %s = %.3f %s%n", name, value, unit);
  }

  /**
   * Publishes percentiles of a sorted sample of nanosecond durations as {@code name.p50},
   * {@code name.p999} (for 99.9), {@code name.max} (for 100), converted to {@code unit}.
   *
   * @param name the metric's base name, such as {@code lag}
   * @param sortedNanos the samples, sorted ascending
   * @param unit {@code us} or {@code ms}
   * @param percentiles the percentiles to publish, such as 50, 99, 100
   */
  public static void percentiles(String name, long[] sortedNanos, String unit, double... percentiles) {
    double divisor;
    switch (unit) {
      case "us":
        divisor = 1e3;
        break;
      case "ms":
        divisor = 1e6;
        break;
      default:
        throw new IllegalArgumentException("unit must be us or ms, was " + unit);
    }
    for (double p : percentiles) {
      String suffix = p == 100 ? "max" : "p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p).replace(".", ""));
      put(name + "." + suffix, LongSamples.percentile(sortedNanos, p) / divisor, unit);
    }
  }

  /** Takes and forgets the metrics published so far. */
  public static Map<String, Metric> drain() {
    synchronized (METRICS) {
      Map<String, Metric> copy = new LinkedHashMap<>(METRICS);
      METRICS.clear();
      return copy;
    }
  }
}
