package dev.llmstream.micrometer;

import dev.llmstream.web.AnswerRuns;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * The relay's meters, read from the relay's own counters (nothing is pushed, nothing is counted twice):
 * {@code llmstream.relay.readers} is a gauge of {@link AnswerRuns#readers()} (open browser connections on
 * this instance) and {@code llmstream.relay.coalesced} a function counter of
 * {@link AnswerRuns#coalescedEvents()} (text, progress and typing events merged or left out for
 * connections that fell behind, since the runs started).
 *
 * <pre>{@code
 * AnswerRuns runs = AnswerRuns.builder(provider).build();
 * RelayMetrics.bind(runs, meterRegistry);
 * }</pre>
 *
 * <p>Needs {@code streaming-web} on the class path (an optional dependency of this module: applications
 * without the relay never load this class).
 *
 * <p><b>Lifecycle and threading.</b> {@link #bind} registers both meters once; the registry then reads the
 * two counters whenever it publishes or is scraped, on its own thread (both reads are single atomic loads).
 * The registry holds the runs only weakly (Micrometer's default for gauges and function counters): after
 * the runs are closed and dropped the meters read {@code NaN}; remove them from the registry to drop them
 * from scrapes. Binding a second {@link AnswerRuns} to the same registry is ignored by Micrometer (one meter
 * per name): bind one per registry, or use a registry per instance. Stateless; thread-safe.
 */
@SuppressWarnings("exports") // dev.llmstream.web is a static dependency: the caller of bind() requires it (see module-info)
public final class RelayMetrics {
  /** {@code llmstream.relay.readers}: browser connections reading runs on this instance. */
  public static final String READERS = "llmstream.relay.readers";
  /** {@code llmstream.relay.coalesced}: events saved by coalescing for readers that fell behind. */
  public static final String COALESCED = "llmstream.relay.coalesced";

  private RelayMetrics() {
    throw new AssertionError("no instances");
  }

  /**
   * Registers {@code llmstream.relay.readers} and {@code llmstream.relay.coalesced} for {@code runs}.
   *
   * @param runs the relay whose counters the meters read
   * @param registry where the meters go
   * @throws NullPointerException if an argument is null
   */
  public static void bind(AnswerRuns runs, MeterRegistry registry) {
    Objects.requireNonNull(runs, "runs");
    Objects.requireNonNull(registry, "registry");
    Gauge.builder(READERS, runs, AnswerRuns::readers)
        .description("Browser connections reading runs through the relay on this instance")
        .register(registry);
    FunctionCounter.builder(COALESCED, runs, r -> (double) r.coalescedEvents())
        .description("Events the relay merged or left out for readers that fell behind")
        .register(registry);
  }
}
