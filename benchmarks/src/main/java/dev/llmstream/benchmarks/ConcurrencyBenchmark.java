package dev.llmstream.benchmarks;

import dev.llmstream.benchmarks.harness.GroqChunks;
import dev.llmstream.benchmarks.harness.LongSamples;
import dev.llmstream.benchmarks.harness.PacedServer;
import dev.llmstream.benchmarks.harness.Published;
import dev.llmstream.benchmarks.harness.RecordingSink;
import dev.llmstream.benchmarks.harness.StreamClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code streams} concurrent streams at {@code rate} tokens/s each, {@value #TOKENS} tokens per stream,
 * through one client instance. The upstream is a {@link PacedServer} in a child JVM (one NIO thread; its
 * heap, threads and CPU stay out of these numbers), and each token carries the server's write time, so
 * the sink measures the delivery lag of every token.
 *
 * <ul>
 *   <li>{@link #lag}: the score is the time for all streams to finish; published: {@code lag.p50/p99/max}
 *       (ms, server write → sink), {@code threads.added} (live threads mid-run minus before; pools keep threads between
 *       iterations, so also {@code threads.live}: all live threads of the JVM mid-run),
 *       {@code serverLate.p99} (ms the server wrote behind its schedule: its own overhead) and
 *       {@code serverCpu.perToken} (ns).
 *   <li>{@link #footprint}: mid-run (every stream has a token), after a full GC: {@code heap.perStream}
 *       (KB retained over the baseline, divided by the streams started), {@code heap.perOpenStream} (the same
 *       divided by the streams still open at that moment, {@code streams.open}: a finished stream holds
 *       nothing, and at 50 tokens/s the first streams may end before the last one has its first token) and
 *       {@code threads.added}.
 * </ul>
 *
 * <p>{@code -jvmArgsAppend -Dllmstream.histogram=true} prints, at the footprint measurement, the classes whose
 * live bytes grew most between before the streams opened and mid-run, per stream (what a stream's heap is
 * made of). {@code -Dllmstream.heapdump=FILE} writes a heap dump of the live objects there at the same point
 * (first iteration only), for a look at who holds them.
 *
 * <p>Published values need {@code -prof dev.llmstream.benchmarks.StreamMetricsProfiler} (also printed).
 * 10,000 streams: {@code -p streams=10000} (needs ~2 file descriptors per stream across the two JVMs).
 *
 * <p>Target at 1,000 streams × 50 tokens/s: lag p99 < 50 ms, < 20 KB heap per stream, thread count
 * independent of the stream count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ConcurrencyBenchmark {
  static final int TOKENS = 100;

  /** The library under test. */
  @Param({StreamClient.OURS, StreamClient.OURS_INLINE, StreamClient.OPENAI_JAVA, StreamClient.LANGCHAIN4J})
  public String library = StreamClient.OURS;

  /** Concurrent streams. */
  @Param("1000")
  public int streams = 1000;

  /** Tokens per second of each stream. */
  @Param("50")
  public int rate = 50;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private PacedServer.Process server;
  private StreamClient client;
  private LongSamples lags;

  /** Starts the paced server process and the client. */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    server = new PacedServer.Process(TOKENS, rate);
    client = StreamClient.of(library, server.baseUrl());
    lags = new LongSamples(streams * TOKENS);
  }

  /** Stops both. */
  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    server.close();
  }

  /**
   * Runs all streams to their end and publishes the delivery lag.
   *
   * @return tokens delivered
   */
  @Benchmark
  public long lag() throws InterruptedException, TimeoutException, IOException {
    lags.clear();
    server.stats(); // reset
    long serverCpuBefore = server.cpuNanos();
    int threadsBefore = THREADS.getThreadCount();
    Run run = start(lags);
    run.awaitFirstTokens();
    int threadsMid = THREADS.getThreadCount();
    long total = run.awaitEnd();
    long[] s = lags.sorted();
    long[] st = server.stats();
    Published.percentiles("lag", s, "ms", 50, 99, 100);
    Published.put("threads.added", threadsMid - threadsBefore, "threads");
    Published.put("threads.live", threadsMid, "threads");
    Published.put("serverLate.p99", st[1] / 1e6, "ms");
    Published.put("serverCpu.perToken", (double) (server.cpuNanos() - serverCpuBefore) / Math.max(1, total), "ns");
    return total;
  }

  /**
   * Opens all streams, measures the retained heap once every stream is flowing, then lets them finish.
   *
   * @return tokens delivered
   */
  @Benchmark
  public long footprint() throws InterruptedException, TimeoutException {
    boolean histogram = Boolean.getBoolean("llmstream.histogram");
    System.gc();
    System.gc();
    long heapBefore = MEMORY.getHeapMemoryUsage().getUsed();
    Map<String, long[]> histogramBefore = histogram ? classHistogram() : Map.of();
    int threadsBefore = THREADS.getThreadCount();
    Run run = start(null);
    run.awaitFirstTokens();
    System.gc();
    System.gc();
    long heapMid = MEMORY.getHeapMemoryUsage().getUsed();
    long open = run.ended.getCount(); // streams still open at the measurement (the first may have ended)
    int threadsMid = THREADS.getThreadCount();
    if (histogram) {
      printHistogramDelta(histogramBefore, classHistogram(), (int) Math.max(1, open));
    }
    String dump = System.getProperty("llmstream.heapdump");
    if (dump != null) {
      dumpHeap(dump);
    }
    long total = run.awaitEnd();
    Published.put("heap.perStream", (heapMid - heapBefore) / 1024.0 / streams, "KB");
    Published.put("heap.perOpenStream", (heapMid - heapBefore) / 1024.0 / Math.max(1, open), "KB");
    Published.put("streams.open", open, "streams");
    Published.put("threads.added", threadsMid - threadsBefore, "threads");
    Published.put("threads.live", threadsMid, "threads");
    return total;
  }

  /** Writes a heap dump of the live objects (once per path: an existing file is left alone). */
  private static void dumpHeap(String path) {
    if (new java.io.File(path).exists()) {
      return;
    }
    try {
      ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).dumpHeap(path, true);
      System.out.println("  [heapdump] " + path);
    } catch (IOException e) {
      System.out.println("  [heapdump] failed: " + e);
    }
  }

  /** The live-object histogram after a full GC: class name → {instances, bytes}. */
  private static Map<String, long[]> classHistogram() {
    Map<String, long[]> h = new HashMap<>();
    try {
      Object out =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "gcClassHistogram",
                  new Object[] {new String[0]},
                  new String[] {String[].class.getName()});
      for (String line : String.valueOf(out).split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 4 && f[0].endsWith(":")) {
          h.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
        }
      }
    } catch (javax.management.JMException | NumberFormatException e) {
      System.out.println("  [histogram] unavailable: " + e);
    }
    return h;
  }

  /**
   * Prints what the open streams retain: the classes whose live bytes grew most between the histogram
   * before the streams were opened and the one mid-run, per stream (instances and bytes).
   */
  private static void printHistogramDelta(Map<String, long[]> before, Map<String, long[]> mid, int streams) {
    List<Map.Entry<String, long[]>> rows = new ArrayList<>();
    long totalBytes = 0;
    for (Map.Entry<String, long[]> e : mid.entrySet()) {
      long[] b = before.getOrDefault(e.getKey(), new long[2]);
      long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
      totalBytes += d[1];
      rows.add(Map.entry(e.getKey(), d));
    }
    rows.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
    System.out.printf(
        "  [histogram] live heap grown by %.1f KB per open stream (%d open); top classes:%n",
        totalBytes / 1024.0 / streams, streams);
    System.out.println("  [histogram]   bytes/stream  instances/stream  class (per open stream)");
    for (int i = 0; i < Math.min(rows.size(), 45); i++) {
      long[] d = rows.get(i).getValue();
      System.out.printf(
          "  [histogram] %14.1f %17.2f  %s%n", (double) d[1] / streams, (double) d[0] / streams, rows.get(i).getKey());
    }
  }

  private Run start(@Nullable LongSamples samples) {
    Run run = new Run(streams, samples);
    for (int i = 0; i < streams; i++) {
      client.stream(run.sinks[i]);
    }
    return run;
  }

  /** The sinks of one run. */
  private static final class Run {
    final LagSink[] sinks;
    final CountDownLatch ended;
    final CountDownLatch firstTokens;

    Run(int n, @Nullable LongSamples samples) {
      sinks = new LagSink[n];
      ended = new CountDownLatch(n);
      firstTokens = new CountDownLatch(n);
      for (int i = 0; i < n; i++) {
        sinks[i] = new LagSink(samples, firstTokens, ended);
      }
    }

    void awaitFirstTokens() throws InterruptedException, TimeoutException {
      if (!firstTokens.await(120, TimeUnit.SECONDS)) {
        throw new TimeoutException(firstTokens.getCount() + " streams got no token within 120 s");
      }
    }

    long awaitEnd() throws InterruptedException, TimeoutException {
      if (!ended.await(300, TimeUnit.SECONDS)) {
        throw new TimeoutException(ended.getCount() + " streams did not end within 300 s");
      }
      long total = 0;
      for (LagSink s : sinks) {
        if (s.error() != null || s.tokens() != TOKENS) {
          throw new IllegalStateException("a stream got " + s.tokens() + " of " + TOKENS + " tokens", s.error());
        }
        total += s.tokens();
      }
      return total;
    }
  }

  /** Records the lag of every token (its text is the server's write time). */
  private static final class LagSink extends RecordingSink {
    private final @Nullable LongSamples samples;
    private final CountDownLatch firstTokens;
    private final CountDownLatch ended;

    LagSink(@Nullable LongSamples samples, CountDownLatch firstTokens, CountDownLatch ended) {
      this.samples = samples;
      this.firstTokens = firstTokens;
      this.ended = ended;
    }

    @Override
    public void onToken(String text) {
      long now = System.nanoTime();
      long sent = GroqChunks.parseStamp(text);
      LongSamples s = samples;
      if (s != null && sent > 0) {
        s.add(now - sent);
      }
      if (tokens() == 0) {
        firstTokens.countDown();
      }
      super.onToken(text);
    }

    @Override
    public void onEnd(@Nullable Throwable error) {
      if (!ended()) {
        super.onEnd(error);
        ended.countDown();
      }
    }
  }
}
