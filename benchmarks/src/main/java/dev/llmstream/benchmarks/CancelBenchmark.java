package dev.llmstream.benchmarks;

import dev.llmstream.benchmarks.harness.GroqChunks;
import dev.llmstream.benchmarks.harness.LongSamples;
import dev.llmstream.benchmarks.harness.LoopbackServer;
import dev.llmstream.benchmarks.harness.Published;
import dev.llmstream.benchmarks.harness.RecordingSink;
import dev.llmstream.benchmarks.harness.StreamClient;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
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
 * Cancellation latency, mid-stream: the server streams a content chunk every millisecond; once the sink
 * has a few tokens the measured method cancels the way the library's users do and parks until the
 * library's terminal signal reaches the sink. Published: {@code terminal.p50/p99/p999} (µs, from the
 * cancel call to the arrival of the terminal signal, noted on the library's thread); the JMH score
 * ({@link Mode#SampleTime}) adds the benchmark thread's wake-up.
 * The time from the cancel call to the server seeing the connection closed (read returns -1 or the
 * connection is reset; the NIO server notices at once) is published as {@code serverClose.p50/p99/max}
 * (needs {@code -prof dev.llmstream.benchmarks.StreamMetricsProfiler}; also printed).
 *
 * <p>Terminal signals: ours {@code onComplete} after {@code Finish(CANCELLED)}; openai-java the handler's
 * {@code onComplete}; LangChain4j has none after a cancel, so its figure is the duration of
 * {@code StreamingHandle.cancel()} (a lower bound for it).
 *
 * <p>Target: cancel → terminal p99 < 1 ms; cancel → server sees the close < 10 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CancelBenchmark {
  private static final long TICK_NANOS = 1_000_000;

  /** The library under test. */
  @Param({StreamClient.OURS, StreamClient.OURS_INLINE, StreamClient.OPENAI_JAVA, StreamClient.LANGCHAIN4J})
  public String library = StreamClient.OURS;

  private final LinkedBlockingQueue<LoopbackServer.Exchange> exchanges = new LinkedBlockingQueue<>();
  private final byte[] headAndRole = GroqChunks.httpHeadAndRole();
  private final byte[][] tokens = new byte[64][];
  private final LongSamples serverClose = new LongSamples(1 << 20);
  private final LongSamples terminal = new LongSamples(1 << 20);
  private LoopbackServer server;
  private StreamClient client;
  private LoopbackServer.Exchange exchange;
  private RecordingSink sink;
  private StreamClient.Cancel cancel;
  private long cancelledAt;

  /** Starts the server (a chunk per millisecond until the client goes away) and the client. */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = GroqChunks.http(GroqChunks.sseContent(GroqChunks.token(i)));
    }
    server =
        LoopbackServer.start(
            ex -> {
              ex.send(headAndRole);
              tick(ex, 0, System.nanoTime());
              exchanges.add(ex);
            });
    client = StreamClient.of(library, server.baseUrl());
  }

  private void tick(LoopbackServer.Exchange ex, int i, long at) {
    if (ex.isClosed()) {
      return;
    }
    ex.send(tokens[i % tokens.length]);
    long next = at + TICK_NANOS;
    ex.scheduleAt(next, () -> tick(ex, i + 1, next));
  }

  /** Stops both. */
  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    server.close();
  }

  /** Starts a stream and waits until tokens flow. */
  @Setup(Level.Invocation)
  public void startStream() throws InterruptedException, TimeoutException {
    sink = new RecordingSink();
    cancel = client.stream(sink);
    LoopbackServer.Exchange ex = exchanges.poll(10, TimeUnit.SECONDS);
    if (ex == null) {
      throw new IllegalStateException(library + " sent no request");
    }
    exchange = ex;
    sink.parkUntilFirstToken(TimeUnit.SECONDS.toNanos(10));
    LockSupport.parkNanos(3 * TICK_NANOS + TICK_NANOS / 2); // mid-stream, between two chunks
  }

  /** Waits for the server to see the connection closed and records when. */
  @TearDown(Level.Invocation)
  public void awaitClose() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!exchange.isClosed()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(library + ": the server never saw the connection closed");
      }
      LockSupport.parkNanos(20_000);
    }
    serverClose.add(exchange.closedAtNanos() - cancelledAt);
    terminal.add(sink.endAt() - cancelledAt);
  }

  /** Publishes cancel → server-sees-close percentiles. */
  @TearDown(Level.Iteration)
  public void publish() {
    long[] t = terminal.sorted();
    Published.percentiles("terminal", t, "us", 50, 99, 99.9);
    terminal.clear();
    long[] s = serverClose.sorted();
    Published.percentiles("serverClose", s, "us", 50, 99, 100);
    serverClose.clear();
  }

  /**
   * Cancels and waits for the terminal signal.
   *
   * @return when the terminal signal arrived
   */
  @Benchmark
  public long cancel() throws TimeoutException {
    cancelledAt = System.nanoTime();
    cancel.cancel();
    return sink.parkUntilEnd(TimeUnit.SECONDS.toNanos(10));
  }
}
