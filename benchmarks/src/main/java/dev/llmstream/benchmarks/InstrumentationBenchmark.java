package dev.llmstream.benchmarks;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamListener;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import dev.llmstream.micrometer.LlmStreamMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-token cost of the provider instrumentation, in memory (no network, so a loaded machine
 * disturbs it far less than the loopback benchmarks): one text delta passed through the emitter a
 * provider writes into. {@code none}: the provider without a listener (nothing is wrapped, the event
 * goes straight to the stream); {@code noop}: wrapped, with a listener that overrides nothing;
 * {@code prometheus}: wrapped, with {@link LlmStreamMetrics} on a Prometheus registry (the trace's
 * update, the clock read, the {@code time_per_output_chunk} histogram). The difference to {@code none}
 * is what instrumentation adds per token.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class InstrumentationBenchmark {
  /** Which listener is attached. */
  @Param({"none", "noop", "prometheus"})
  public String listener = "none";

  private final StreamEvent token = new StreamEvent.TextDelta(" token");
  private StreamEmitter emitter;
  private StreamSource source;
  private Blackhole sink;

  /** Builds the path: a started source whose emitter hands events to the blackhole. */
  @Setup(Level.Iteration)
  public void setup(Blackhole bh) {
    this.sink = bh;
    StreamEmitter stream = new Sink();
    if (listener.equals("none")) {
      emitter = stream;
      return;
    }
    StreamListener l =
        listener.equals("noop")
            ? new StreamListener() {}
            : LlmStreamMetrics.builder(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build();
    StreamEmitter[] captured = new StreamEmitter[1];
    StreamSource provider = new StreamSource() {
      @Override
      public void start(StreamEmitter e) {
        captured[0] = e;
      }

      @Override
      public void pull() {}

      @Override
      public void cancel() {}
    };
    source = StreamSource.instrumented(provider, l, CancellationToken.create(), StreamScheduler.system(),
        "groq", "bench-model", "127.0.0.1", 443);
    source.start(stream);
    emitter = captured[0];
    emitter.next(token); // the first chunk: from here on every token is a "later chunk"
  }

  /** Ends the stream (its end is recorded once per iteration, not per token). */
  @TearDown(Level.Iteration)
  public void tearDown() {
    if (source != null) {
      source.cancel();
    }
  }

  /** One token through the emitter. */
  @Benchmark
  public void token() {
    emitter.next(token);
  }

  private final class Sink implements StreamEmitter {
    @Override
    public void next(StreamEvent event) {
      sink.consume(event);
    }

    @Override
    public void pullDone() {}

    @Override
    public void complete() {}

    @Override
    public void fail(Throwable error) {}

    @Override
    public boolean isCancelled() {
      return false;
    }
  }
}
