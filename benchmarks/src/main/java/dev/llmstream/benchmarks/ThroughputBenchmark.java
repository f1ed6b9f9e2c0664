package dev.llmstream.benchmarks;

import dev.llmstream.benchmarks.harness.GroqChunks;
import dev.llmstream.benchmarks.harness.LoopbackServer;
import dev.llmstream.benchmarks.harness.RecordingSink;
import dev.llmstream.benchmarks.harness.StreamClient;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of one stream over the full client path: the loopback server sends an answer of
 * {@value #TOKENS} Groq-shaped content chunks (one HTTP chunk each, pre-encoded, written as fast as
 * loopback allows) and the library delivers every token to a counting sink. One operation is one token:
 * the score is tokens/s. With {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes allocated per token in
 * the whole JVM (the server allocates nothing per token); with {@code -prof
 * dev.llmstream.benchmarks.StreamMetricsProfiler}, {@code cpu.client.norm} is CPU ns per token spent
 * outside the server thread.
 *
 * <p>Target: ≥ 2× the best peer's tokens/s, with ≤ half its CPU per token.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ThroughputBenchmark {
  static final int TOKENS = 100_000;

  /** The library under test. */
  @Param({StreamClient.OURS, StreamClient.OURS_METRICS, StreamClient.OURS_INLINE, StreamClient.OPENAI_JAVA, StreamClient.LANGCHAIN4J})
  public String library = StreamClient.OURS;

  private LoopbackServer server;
  private StreamClient client;

  /** Starts the server (answer pre-encoded once) and the library's client. */
  @Setup
  public void setup() throws IOException {
    byte[] response = GroqChunks.httpAnswer(TOKENS);
    server =
        LoopbackServer.start(
            exchange -> {
              exchange.send(response);
              exchange.end();
            });
    client = StreamClient.of(library, server.baseUrl());
  }

  /** Stops both. */
  @TearDown
  public void tearDown() {
    client.close();
    server.close();
  }

  /**
   * Streams one whole answer.
   *
   * @return characters received
   */
  @Benchmark
  @OperationsPerInvocation(TOKENS)
  public long stream() throws InterruptedException, TimeoutException {
    RecordingSink sink = new RecordingSink();
    client.stream(sink);
    sink.awaitEnd(60, TimeUnit.SECONDS);
    if (sink.error() != null || sink.tokens() != TOKENS) {
      throw new IllegalStateException(
          library + " delivered " + sink.tokens() + " of " + TOKENS + " tokens", sink.error());
    }
    return sink.chars();
  }
}
