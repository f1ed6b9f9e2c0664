package dev.llmstream.benchmarks;

import dev.llmstream.benchmarks.harness.GroqChunks;
import dev.llmstream.benchmarks.harness.LongSamples;
import dev.llmstream.benchmarks.harness.Published;
import dev.llmstream.benchmarks.harness.LoopbackServer;
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
 * First-token latency overhead: the time from the server writing the first content chunk to that token
 * reaching the sink, over the full client path on loopback.
 *
 * <p>Everything before the first token is identical for every library and not measured: in the
 * per-invocation setup the library sends its request, the server answers with the response head and the
 * role chunk (empty content), and the client is left {@value #SETTLE_MICROS} µs to take them in and wait
 * for more. The measured method then notes the time, writes the first content chunk to the socket itself
 * (so the server thread's wake-up is not counted; the {@code write} call is) and parks until the sink
 * has the token; the sink notes the arrival time on the library's thread before it wakes the benchmark
 * thread. The rest of the answer is sent in the per-invocation tear-down.
 *
 * <p>The overhead is the published {@code firstToken.p50/p90/p99/p999} (µs, arrival − write; needs
 * {@code -prof dev.llmstream.benchmarks.StreamMetricsProfiler}, also printed). The JMH score
 * ({@link Mode#SampleTime}) is the method's duration, which adds the benchmark thread's wake-up. The
 * benchmark thread parks rather than spins: on 2 cores a spinning thread takes the core the client's
 * threads need and the tail becomes the scheduler's time slice.
 *
 * <p>{@code ours+StreamBuffer} is the same path with a {@code StreamBuffer} (50 ms window) after the
 * stream: the first token must pass at once (leading edge), adding next to nothing.
 *
 * <p>Target: p50 < 150 µs, p99 < 1 ms, and below both peers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class FirstTokenBenchmark {
  static final long SETTLE_MICROS = 2_000;

  /** The library under test. */
  @Param({StreamClient.OURS, StreamClient.OURS_METRICS, StreamClient.OURS_BUFFERED, StreamClient.OURS_INLINE, StreamClient.OPENAI_JAVA, StreamClient.LANGCHAIN4J})
  public String library = StreamClient.OURS;

  private final LinkedBlockingQueue<LoopbackServer.Exchange> exchanges = new LinkedBlockingQueue<>();
  private final byte[] headAndRole = GroqChunks.httpHeadAndRole();
  private final byte[] firstToken = GroqChunks.http(GroqChunks.sseContent("Hello"));
  private final byte[] tail = GroqChunks.httpTail();
  private LoopbackServer server;
  private StreamClient client;
  private LoopbackServer.Exchange exchange;
  private RecordingSink sink;
  private long writtenAt;
  private final LongSamples overhead = new LongSamples(1 << 20);

  /** Starts the server and the library's client. */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    server =
        LoopbackServer.start(
            ex -> {
              ex.send(headAndRole);
              exchanges.add(ex);
            });
    client = StreamClient.of(library, server.baseUrl());
  }

  /** Stops both. */
  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    server.close();
  }

  /** Starts a stream and waits until the client has the head and the role chunk and is idle. */
  @Setup(Level.Invocation)
  public void startStream() throws InterruptedException {
    sink = new RecordingSink();
    client.stream(sink);
    LoopbackServer.Exchange ex = exchanges.poll(10, TimeUnit.SECONDS);
    if (ex == null) {
      throw new IllegalStateException(library + " sent no request");
    }
    exchange = ex;
    LockSupport.parkNanos(SETTLE_MICROS * 1_000);
  }

  /** Sends the rest of the answer and waits for the end. */
  @TearDown(Level.Invocation)
  public void finishStream() throws InterruptedException, TimeoutException {
    exchange.send(tail);
    exchange.end();
    sink.awaitEnd(10, TimeUnit.SECONDS);
    if (sink.error() != null || sink.tokens() != 1) {
      throw new IllegalStateException(library + " got " + sink.tokens() + " tokens", sink.error());
    }
    overhead.add(sink.firstTokenAt() - writtenAt);
  }

  /** Publishes the overhead distribution of the iteration. */
  @TearDown(Level.Iteration)
  public void publish() {
    long[] s = overhead.sorted();
    Published.percentiles("firstToken", s, "us", 50, 90, 99, 99.9);
    overhead.clear();
  }

  /**
   * Writes the first content chunk and waits for the token at the sink.
   *
   * @return the token
   */
  @Benchmark
  public long firstToken() throws TimeoutException {
    writtenAt = System.nanoTime();
    exchange.send(firstToken);
    sink.parkUntilFirstToken(TimeUnit.SECONDS.toNanos(10));
    return sink.firstTokenAt();
  }
}
