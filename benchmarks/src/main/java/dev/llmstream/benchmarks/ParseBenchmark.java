package dev.llmstream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.benchmarks.harness.GroqChunks;
import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import dev.llmstream.groq.internal.ChunkDecoder;
import dev.llmstream.groq.internal.JsonSupport;
import dev.llmstream.groq.internal.SseScanner;
import java.util.ArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The in-memory parse and map path alone: Groq SSE bytes → {@link SseScanner} → {@link ChunkDecoder} →
 * {@link StreamEvent}s, no network, no threads. One operation is one token (one content chunk of about 230
 * bytes), so the score is tokens/s and {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes allocated per
 * token. The bytes are fed in 16 KiB slices, as network reads deliver them; a fresh scanner and decoder per
 * answer of {@value #TOKENS} tokens (their cost is part of a stream's cost).
 *
 * <p>{@link #parseMapAndDeliver} adds the core: the same parse and map inside a {@link StreamSource}
 * answering pulls, delivered through {@link TokenStream} (demand, state, the partial answer) to a
 * subscriber with unbounded demand; still no network. The difference between the two is the per-token
 * cost of the core.
 *
 * <p>{@code path}: {@code fast} is the decoder as the provider builds it (its fast path for the
 * {@code delta.content} chunk shape, Jackson for the rest); {@code jackson} turns the fast path off, so
 * every chunk goes through Jackson.
 *
 * <p>Target: ≥ 3M tokens/s and ≤ 100 bytes allocated per token.
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

  /** Which chunk parser: {@code fast} (the default decoder) or {@code jackson} (fast path off). */
  @Param({"fast", "jackson"})
  public String path;

  private final ObjectMapper mapper = JsonSupport.newMapper(); // as the provider builds it
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
    ChunkDecoder decoder = decoder(mapper, path);
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
    decoder.close();
    if (count != TOKENS + 1) { // the tokens, then the finish (carrying the usage)
      throw new IllegalStateException("expected " + (TOKENS + 1) + " events, got " + count);
    }
    return count;
  }

  /**
   * Parses, maps and delivers one whole answer through {@link TokenStream}, on this thread.
   *
   * @param bh consumes every event
   * @return the number of events
   */
  @Benchmark
  @OperationsPerInvocation(TOKENS)
  public int parseMapAndDeliver(Blackhole bh) {
    CountingSubscriber subscriber = new CountingSubscriber(bh);
    TokenStream.create(new InMemorySource(answer, decoder(mapper, path)), CancellationToken.create())
        .subscribe(subscriber);
    if (!subscriber.completed || subscriber.count != TOKENS + 1) {
      throw new IllegalStateException("expected " + (TOKENS + 1) + " events, got " + subscriber.count);
    }
    return subscriber.count;
  }

  private static ChunkDecoder decoder(ObjectMapper mapper, String path) {
    return new ChunkDecoder(
        mapper, 200, "req_bench", Integer.MAX_VALUE, Integer.MAX_VALUE, !path.equals("jackson"));
  }

  /** Answers each pull with the events of the next 16 KiB of the answer. */
  private static final class InMemorySource implements StreamSource {
    private final byte[] answer;
    private final SseScanner scanner = new SseScanner(1024 * 1024);
    private final ChunkDecoder decoder;
    private final ArrayList<StreamEvent> events = new ArrayList<>();
    private final SseScanner.Listener listener;
    private StreamEmitter emitter;
    private int position;

    InMemorySource(byte[] answer, ChunkDecoder decoder) {
      this.answer = answer;
      this.decoder = decoder;
      this.listener = (type, data, length) -> decoder.onEvent(type, data, length, events);
    }

    @Override
    public void start(StreamEmitter emitter) {
      this.emitter = emitter;
    }

    @Override
    public void pull() {
      while (events.isEmpty() && !decoder.isDone() && position < answer.length) {
        int end = Math.min(answer.length, position + SLICE);
        scanner.scan(answer, position, end, listener);
        position = end;
      }
      for (int i = 0, n = events.size(); i < n; i++) {
        emitter.next(events.get(i));
      }
      events.clear();
      if (decoder.isDone() || position >= answer.length) {
        decoder.close();
        emitter.complete();
      } else {
        emitter.pullDone();
      }
    }

    @Override
    public void cancel() {
      position = answer.length;
    }
  }

  private static final class CountingSubscriber implements Flow.Subscriber<StreamEvent> {
    private final Blackhole bh;
    int count;
    boolean completed;

    CountingSubscriber(Blackhole bh) {
      this.bh = bh;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(StreamEvent item) {
      count++;
      bh.consume(item);
    }

    @Override
    public void onError(Throwable throwable) {
      throw new IllegalStateException(throwable);
    }

    @Override
    public void onComplete() {
      completed = true;
    }
  }
}
