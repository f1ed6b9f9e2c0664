package dev.llmstream.benchmarks;

import dev.llmstream.benchmarks.harness.GroqChunks;
import dev.llmstream.benchmarks.harness.LongSamples;
import dev.llmstream.benchmarks.harness.LoopbackServer;
import dev.llmstream.benchmarks.harness.Published;
import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiConnection;
import dev.llmstream.groq.GroqProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Smoothness: a bursty Groq-like upstream (bursts of 20–50 tokens written at once, then pauses of
 * 40–250 ms) into this library's stream and a {@link UiConnection#buffer} buffer with the default configuration (50 ms
 * window, 256-character batches) on the system scheduler; {@value #STREAMS} concurrent streams of
 * {@value #BURSTS} bursts per invocation. Each 5-character token encodes its server write time, so the
 * subscriber (the "UI") measures how long every character waited.
 *
 * <p>Published (with {@code -prof dev.llmstream.benchmarks.StreamMetricsProfiler}; also printed):
 * {@code ui.interval.p50/p99/max} (ms between two UI updates of one stream),
 * {@code ui.updatesPerSecond} (per stream, while streaming), {@code upstream.tokensPerSecond} (for
 * scale: the updates a UI would get without the buffer), and {@code charWait.p50/p99/max} (ms from the
 * server writing a token to the UI receiving its last character).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SmoothnessBenchmark {
  static final int STREAMS = 10;
  static final int BURSTS = 12;
  private static final int TOKEN_CHARS = 5; // 4 base-32 digits of 0.1 ms since the epoch, and a space
  private static final long TICK_NANOS = 100_000;

  private final long epoch = System.nanoTime();
  private final byte[] headAndRole = GroqChunks.httpHeadAndRole();
  private final byte[] tail = GroqChunks.httpTail();
  private final Random random = new Random(42);
  private final LongSamples intervals = new LongSamples(1 << 20);
  private final LongSamples waits = new LongSamples(1 << 20);
  private LoopbackServer server;
  private GroqProvider provider;

  /** Starts the bursty server and the provider. */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    server =
        LoopbackServer.start(
            ex -> {
              ex.send(headAndRole);
              burst(ex, 0, System.nanoTime());
            });
    provider =
        GroqProvider.builder()
            .baseUrl(server.baseUrl())
            .apiKey("bench")
            .defaultModel(GroqChunks.MODEL)
            .build();
  }

  /** Stops both. */
  @TearDown(Level.Trial)
  public void tearDown() {
    provider.close();
    server.close();
  }

  private void burst(LoopbackServer.Exchange ex, int i, long at) {
    if (ex.isClosed()) {
      return;
    }
    if (i == BURSTS) {
      ex.send(tail);
      ex.end();
      return;
    }
    int size = 20 + random.nextInt(31);
    String stamp = encode((System.nanoTime() - epoch) / TICK_NANOS);
    byte[] token = GroqChunks.http(GroqChunks.sseContent(stamp));
    ByteArrayOutputStream out = new ByteArrayOutputStream(size * token.length);
    for (int k = 0; k < size; k++) {
      out.writeBytes(token);
    }
    ex.send(out.toByteArray());
    long next = at + TimeUnit.MILLISECONDS.toNanos(40 + random.nextInt(211));
    ex.scheduleAt(next, () -> burst(ex, i + 1, next));
  }

  private static String encode(long ticks) {
    char[] c = new char[TOKEN_CHARS];
    long v = ticks;
    for (int i = TOKEN_CHARS - 2; i >= 0; i--) {
      c[i] = Character.forDigit((int) (v & 31), 32);
      v >>>= 5;
    }
    c[TOKEN_CHARS - 1] = ' ';
    return new String(c);
  }

  private long decode(CharSequence s, int from) {
    long v = 0;
    for (int i = from; i < from + TOKEN_CHARS - 1; i++) {
      v = (v << 5) | Character.digit(s.charAt(i), 32);
    }
    return epoch + v * TICK_NANOS;
  }

  /**
   * Streams {@value #STREAMS} bursty answers through a {@link UiConnection#buffer} buffer each and publishes the
   * smoothness figures.
   *
   * @return UI updates
   */
  @Benchmark
  public long smoothness() throws InterruptedException, TimeoutException {
    intervals.clear();
    waits.clear();
    CountDownLatch done = new CountDownLatch(STREAMS);
    Ui[] uis = new Ui[STREAMS];
    UiConfig config = UiConfig.defaults();
    for (int i = 0; i < STREAMS; i++) {
      uis[i] = new Ui(done);
      UiConnection.buffer(
              provider.stream(ChatRequest.ofUser(GroqChunks.PROMPT), CancellationToken.create()),
              config)
          .subscribe(uis[i]);
    }
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new TimeoutException("streams did not finish");
    }
    long updates = 0;
    double updatesPerSecond = 0;
    double tokensPerSecond = 0;
    for (Ui ui : uis) {
      if (ui.error != null) {
        throw new IllegalStateException("a stream failed", ui.error);
      }
      updates += ui.updates;
      double seconds = (ui.lastUpdate - ui.firstUpdate) / 1e9;
      updatesPerSecond += (ui.updates - 1) / seconds / STREAMS;
      tokensPerSecond += ui.tokens / seconds / STREAMS;
    }
    long[] iv = intervals.sorted();
    long[] w = waits.sorted();
    Published.percentiles("ui.interval", iv, "ms", 50, 99, 100);
    Published.put("ui.updatesPerSecond", updatesPerSecond, "1/s");
    Published.put("upstream.tokensPerSecond", tokensPerSecond, "1/s");
    Published.percentiles("charWait", w, "ms", 50, 99, 100);
    return updates;
  }

  /** A UI: records update times and every token's wait. Signals are serial. */
  private final class Ui implements Flow.Subscriber<StreamEvent> {
    private final CountDownLatch done;
    private final StringBuilder text = new StringBuilder();
    private int decoded;
    private long updates;
    private long tokens;
    private long firstUpdate;
    private long lastUpdate;
    private @Nullable Throwable error;

    Ui(CountDownLatch done) {
      this.done = done;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(StreamEvent item) {
      if (!(item instanceof StreamEvent.TextDelta batch)) {
        return;
      }
      long now = System.nanoTime();
      if (updates++ == 0) {
        firstUpdate = now;
      } else {
        intervals.add(now - lastUpdate);
      }
      lastUpdate = now;
      text.append(batch.text());
      while (text.length() - decoded >= TOKEN_CHARS) {
        waits.add(now - decode(text, decoded));
        decoded += TOKEN_CHARS;
        tokens++;
      }
    }

    @Override
    public void onError(Throwable throwable) {
      error = throwable;
      done.countDown();
    }

    @Override
    public void onComplete() {
      done.countDown();
    }
  }
}
