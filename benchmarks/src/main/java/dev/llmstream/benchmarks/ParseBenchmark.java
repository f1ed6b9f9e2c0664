package dev.llmstream.benchmarks;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.benchmarks.harness.GroqChunks;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.groq.internal.ChunkDecoder;
import dev.llmstream.groq.internal.SseScanner;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The in-memory parse and map path alone: Groq SSE bytes → {@link SseScanner} → {@link ChunkDecoder} →
 * {@link StreamEvent}s, no network, no threads. One operation is one token (one content chunk of about 230
 * bytes), so the score is tokens/s and {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes allocated per
 * token. The bytes are fed in 16 KiB slices, as network reads deliver them; a fresh scanner and decoder per
 * answer of {@value #TOKENS} tokens (their cost is part of a stream's cost).
 *
 * <p>Target: ≥ 2M tokens/s and ≤ 100 bytes allocated per token.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ParseBenchmark {
  static final int TOKENS = 1_000;
  private static final int SLICE = 16 * 1024;

  private final ObjectMapper mapper =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private final ArrayList<StreamEvent> out = new ArrayList<>();
  private byte[] answer = new byte[0];

  /** Encodes the answer once. */
  @Setup
  public void setup() {
    answer = GroqChunks.sseAnswer(TOKENS);
  }

  /**
   * Parses and maps one whole answer.
   *
   * @param bh consumes every event
   * @return the number of events
   */
  @Benchmark
  @OperationsPerInvocation(TOKENS)
  public int parseAndMap(Blackhole bh) {
    SseScanner scanner = new SseScanner(1024 * 1024);
    ChunkDecoder decoder = new ChunkDecoder(mapper, 200, "req_bench");
    ArrayList<StreamEvent> events = out;
    SseScanner.Listener listener = (type, data, length) -> decoder.onEvent(type, data, length, events);
    int count = 0;
    byte[] a = answer;
    for (int from = 0; from < a.length && !decoder.isDone(); from += SLICE) {
      scanner.scan(a, from, Math.min(a.length, from + SLICE), listener);
      for (int i = 0, n = events.size(); i < n; i++) {
        bh.consume(events.get(i));
      }
      count += events.size();
      events.clear();
    }
    if (count != TOKENS + 2) { // tokens, usage, finish
      throw new IllegalStateException("expected " + (TOKENS + 2) + " events, got " + count);
    }
    return count;
  }
}
