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
 *       (KB retained per open stream over the baseline) and {@code threads.added}.
 * </ul>
 *
 * <p>{@code -jvmArgsAppend -Dllmstream.histogram=true} prints the top of the class histogram at the
 * footprint measurement (what a stream's heap is made of).
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
    System.gc();
    System.gc();
    long heapBefore = MEMORY.getHeapMemoryUsage().getUsed();
    int threadsBefore = THREADS.getThreadCount();
    Run run = start(null);
    run.awaitFirstTokens();
    System.gc();
    System.gc();
    long heapMid = MEMORY.getHeapMemoryUsage().getUsed();
    int threadsMid = THREADS.getThreadCount();
    if (Boolean.getBoolean("llmstream.histogram")) {
      printHistogram();
    }
    long total = run.awaitEnd();
    Published.put("heap.perStream", (heapMid - heapBefore) / 1024.0 / streams, "KB");
    Published.put("threads.added", threadsMid - threadsBefore, "threads");
    Published.put("threads.live", threadsMid, "threads");
    return total;
  }

  /** Prints the top of the live-object histogram (what the retained heap per stream is made of). */
  private static void printHistogram() {
    try {
      Object out =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "gcClassHistogram",
                  new Object[] {new String[0]},
                  new String[] {String[].class.getName()});
      String[] lines = String.valueOf(out).split("\n");
      for (int i = 0; i < Math.min(lines.length, 30); i++) {
        System.out.println("  [histogram] " + lines[i]);
      }
    } catch (javax.management.JMException e) {
      System.out.println("  [histogram] unavailable: " + e);
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
