package dev.llmstream.benchmarks;

import dev.llmstream.benchmarks.harness.LoopbackServer;
import dev.llmstream.benchmarks.harness.Published;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler ({@code -prof dev.llmstream.benchmarks.StreamMetricsProfiler}) that adds, per iteration:
 *
 * <ul>
 *   <li>{@code cpu.process.norm}: CPU time of the whole benchmark JVM (all threads: the library's, the
 *       loopback server's, GC, JIT) per operation, in ns, from
 *       {@code com.sun.management.OperatingSystemMXBean.getProcessCpuTime()};
 *   <li>{@code cpu.server.norm}: CPU time of the loopback server thread per operation;
 *   <li>{@code cpu.client.norm}: the difference: what the client library (plus GC/JIT, harness) cost;
 *   <li>the scenario metrics the benchmark {@link Published published} (lags, heap per stream, ...).
 * </ul>
 *
 * <p>In the throughput benchmarks one operation is one token, so the {@code .norm} values are CPU per token.
 */
public final class StreamMetricsProfiler implements InternalProfiler {
  private long processCpuBefore;
  private long serverCpuBefore;

  /** Creates the profiler (JMH does, once per fork). */
  public StreamMetricsProfiler() {}

  @Override
  public String getDescription() {
    return "process/server CPU per operation and the benchmarks' published scenario metrics";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    Published.drain(); // warm-up leftovers
    processCpuBefore = processCpu();
    serverCpuBefore = serverCpu();
  }

  @Override
  @SuppressWarnings("rawtypes") // JMH declares Result raw
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long process = processCpu() - processCpuBefore;
    long server = serverCpu() - serverCpuBefore;
    long ops = result.getMetadata().getAllOps();
    List<Result> out = new ArrayList<>();
    if (ops > 0) {
      out.add(new ScalarResult("cpu.process.norm", (double) process / ops, "ns/op", AggregationPolicy.AVG));
      out.add(new ScalarResult("cpu.server.norm", (double) server / ops, "ns/op", AggregationPolicy.AVG));
      out.add(new ScalarResult("cpu.client.norm", (double) (process - server) / ops, "ns/op", AggregationPolicy.AVG));
    }
    for (Published.Metric m : Published.drain().values()) {
      out.add(new ScalarResult(m.name(), m.value(), m.unit(), AggregationPolicy.AVG));
    }
    return out;
  }

  private static long processCpu() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }

  private static long serverCpu() {
    return LoopbackServer.allServersCpuNanos();
  }
}
