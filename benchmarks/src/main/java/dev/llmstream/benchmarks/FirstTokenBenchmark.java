package dev.llmstream.benchmarks;

import dev.llmstream.benchmarks.harness.GroqChunks;
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
 * for more. The measured method then writes the first content chunk to the socket itself (so the server
 * thread's wake-up is not counted; the {@code write} call is) and spins until the sink has the token. The
 * rest of the answer is sent in the per-invocation tear-down. {@link Mode#SampleTime} gives the
 * distribution: read p50, p99 and p99.9 from the JMH output.
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
  @Param({StreamClient.OURS, StreamClient.OURS_BUFFERED, StreamClient.OPENAI_JAVA, StreamClient.LANGCHAIN4J})
  public String library = StreamClient.OURS;

  private final LinkedBlockingQueue<LoopbackServer.Exchange> exchanges = new LinkedBlockingQueue<>();
  private final byte[] headAndRole = GroqChunks.httpHeadAndRole();
  private final byte[] firstToken = GroqChunks.http(GroqChunks.sseContent("Hello"));
  private final byte[] tail = GroqChunks.httpTail();
  private LoopbackServer server;
  private StreamClient client;
  private LoopbackServer.Exchange exchange;
  private RecordingSink sink;

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
  }

  /**
   * Writes the first content chunk and waits for the token at the sink.
   *
   * @return the token
   */
  @Benchmark
  public String firstToken() throws TimeoutException {
    exchange.send(firstToken);
    return sink.spinUntilFirstToken(TimeUnit.SECONDS.toNanos(10));
  }
}
