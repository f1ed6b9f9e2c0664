package dev.llmstream.micrometer;

import dev.llmstream.core.StreamListener;
import dev.llmstream.core.StreamMetricsListener;
import dev.llmstream.core.StreamTrace;
import dev.llmstream.core.Usage;
import dev.llmstream.micrometer.internal.GenAi;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Records every stream of a provider in Micrometer, under the OpenTelemetry GenAI semantic-convention
 * names, units, attributes and bucket boundaries, plus llmstream's own meters (the table is in
 * {@code docs/OBSERVABILITY.md}):
 *
 * <pre>{@code
 * LlmStreamMetrics metrics = LlmStreamMetrics.builder(meterRegistry)
 *     .observationRegistry(observationRegistry)          // optional: one Observation (span) per answer
 *     .build();
 * GroqProvider groq = GroqProvider.builder().listener(metrics).build();
 * UiConnection.connect(stream, sink, executor, UiConfig.builder().metrics(metrics.uiListener()).build());
 * }</pre>
 *
 * <p>Units: timers are in seconds (the registry renders them, {@code _seconds} in Prometheus); the
 * counted things ({@code {token}}, {@code {stream}}, ...) carry no Micrometer base unit, because
 * Prometheus would mangle a curly-brace unit into the name ({@code gen_ai_client_token_usage__token_}),
 * whereas the OpenTelemetry Prometheus exporter drops such annotations: so the names match what an
 * OpenTelemetry SDK exports ({@code gen_ai_client_token_usage_bucket}).
 *
 * <p>Never a user id, prompt or request id as a tag: tags are the provider, the requested and returned
 * model, the server address, the error type and the outcome (a value not known is {@code none}, so every
 * meter keeps one set of tag keys, as Prometheus requires). The request id goes to the observation's
 * high-cardinality values (spans), not to metrics.
 *
 * <p><b>Threading.</b> Thread-safe and lock-free: one instance serves any number of providers and
 * streams; per-stream state (the observation and the chunk timer) lives in a concurrent map from the
 * request being sent to the end. Nothing here blocks.
 */
public final class LlmStreamMetrics implements StreamListener {
  /** {@code gen_ai.client.operation.duration}: request sent to the end of the answer, in seconds. */
  public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";
  /** {@code gen_ai.client.operation.time_to_first_chunk}, in seconds. */
  public static final String TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";
  /** {@code gen_ai.client.operation.time_per_output_chunk}, in seconds. */
  public static final String TIME_PER_OUTPUT_CHUNK = "gen_ai.client.operation.time_per_output_chunk";
  /** {@code gen_ai.client.token.usage}, in tokens, tagged {@code gen_ai.token.type}. */
  public static final String TOKEN_USAGE = "gen_ai.client.token.usage";
  /** {@code llmstream.streams}: ended streams, tagged {@code outcome}. */
  public static final String STREAMS = "llmstream.streams";
  /** {@code llmstream.streams.active}: streams between request sent and end. */
  public static final String STREAMS_ACTIVE = "llmstream.streams.active";
  /** {@code llmstream.cancel.latency}: cancel requested to the stream's end, in seconds. */
  public static final String CANCEL_LATENCY = "llmstream.cancel.latency";
  /** {@code llmstream.recovery.attempts}: mid-answer recovery attempts, tagged {@code result}. */
  public static final String RECOVERY_ATTEMPTS = "llmstream.recovery.attempts";
  /** {@code llmstream.retries}: new attempts before the first token. */
  public static final String RETRIES = "llmstream.retries";
  /** {@code llmstream.ui.delivery.lag}: a chunk's arrival to the UI sink call, in seconds. */
  public static final String UI_DELIVERY_LAG = "llmstream.ui.delivery.lag";

  private final MeterRegistry registry;
  private final @Nullable ObservationRegistry observations;
  private final StreamObservationConvention convention;
  private final AtomicInteger active = new AtomicInteger();
  private final Timer uiLag;
  private final StreamMetricsListener uiListener;
  private final Map<StreamTrace, Live> live = new ConcurrentHashMap<>();

  private LlmStreamMetrics(Builder b) {
    this.registry = b.registry;
    this.observations = b.observations;
    this.convention = b.convention != null ? b.convention : new DefaultStreamObservationConvention();
    Gauge.builder(STREAMS_ACTIVE, active, AtomicInteger::get)
        .description("Streams between the request being sent and their end")
        .register(registry);
    this.uiLag =
        Timer.builder(UI_DELIVERY_LAG)
            .description("A chunk's arrival at the buffer to the UI sink call that showed it")
            .serviceLevelObjectives(GenAi.LATENCY_BUCKETS)
            .register(registry);
    this.uiListener = new StreamMetricsListener() {
      @Override
      public void onBatch(int tokens, int characters, Duration streamLatency) {
        uiLag.record(streamLatency);
      }
    };
  }

  /**
   * Starts a builder.
   *
   * @param registry where the meters go
   * @return the builder
   * @throws NullPointerException if {@code registry} is null
   */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(Objects.requireNonNull(registry, "registry"));
  }

  /**
   * A listener for {@code UiConfig.Builder.metrics(..)} that records {@code llmstream.ui.delivery.lag}
   * (what only the UI connection sees). The same instance every time; thread-safe.
   *
   * @return the UI listener
   */
  public StreamMetricsListener uiListener() {
    return uiListener;
  }

  // ------------------------------------------------------------------ StreamListener

  @Override
  public void onRequestSent(StreamTrace trace) {
    active.incrementAndGet();
    Observation obs = null;
    ObservationRegistry reg = observations;
    if (reg != null && !reg.isNoop()) {
      obs =
          Observation.createNotStarted(
                  convention, new DefaultStreamObservationConvention(), () -> new StreamObservationContext(trace), reg)
              .start();
    }
    live.put(trace, new Live(obs));
  }

  @Override
  public void onFirstChunk(StreamTrace trace) {
    Duration ttfc = trace.timeToFirstChunk();
    Tags tags = modelTags(trace);
    if (ttfc != null) {
      Timer.builder(TIME_TO_FIRST_CHUNK)
          .description("Time to receive the first chunk of a streamed answer")
          .serviceLevelObjectives(GenAi.DURATION_BUCKETS)
          .tags(tags)
          .register(registry)
          .record(ttfc);
    }
    Live l = live.get(trace);
    if (l != null) {
      l.perChunk =
          Timer.builder(TIME_PER_OUTPUT_CHUNK)
              .description("Time between consecutive chunks of a streamed answer, after the first")
              .serviceLevelObjectives(GenAi.CHUNK_BUCKETS)
              .tags(tags)
              .register(registry);
      if (l.observation != null) {
        l.observation.event(Observation.Event.of("gen_ai.first_chunk", "first chunk"));
      }
    }
  }

  @Override
  public void onChunk(StreamTrace trace, long sincePreviousNanos) {
    Live l = live.get(trace);
    Timer t = l == null ? null : l.perChunk;
    if (t != null) {
      t.record(sincePreviousNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void onCancelRequested(StreamTrace trace) {
    Live l = live.get(trace);
    if (l != null && l.observation != null) {
      l.observation.event(Observation.Event.of("llmstream.cancel", "cancel requested"));
    }
  }

  @Override
  public void onEnd(StreamTrace trace) {
    Live l = live.remove(trace);
    if (l != null) {
      active.decrementAndGet();
    }
    String errorType = GenAi.errorType(trace);
    Tags model = modelTags(trace);
    Timer.builder(OPERATION_DURATION)
        .description("GenAI operation duration")
        .serviceLevelObjectives(GenAi.DURATION_BUCKETS)
        .tags(model)
        .tag(GenAi.ERROR_TYPE, errorType)
        .register(registry)
        .record(trace.duration());
    Usage usage = trace.usage();
    if (usage != null) {
      tokens(model, "input", usage.promptTokens());
      tokens(model, "output", usage.completionTokens());
    }
    Tags provider =
        Tags.of(GenAi.PROVIDER_NAME, trace.providerName(), GenAi.REQUEST_MODEL, trace.requestModel());
    registry.counter(STREAMS, provider.and(GenAi.OUTCOME, trace.outcome()).and(GenAi.ERROR_TYPE, errorType))
        .increment();
    Duration cancel = trace.cancelLatency();
    if (cancel != null) {
      Timer.builder(CANCEL_LATENCY)
          .description("From the cancel request to the stream's end")
          .serviceLevelObjectives(GenAi.LATENCY_BUCKETS)
          .tags(provider)
          .register(registry)
          .record(cancel);
    }
    if (trace.recoveries() > 0) {
      registry.counter(RECOVERY_ATTEMPTS, provider.and(GenAi.RESULT, recoveryResult(trace)))
          .increment(trace.recoveries());
    }
    if (trace.retries() > 0) {
      registry.counter(RETRIES, provider).increment(trace.retries());
    }
    if (l != null && l.observation != null) {
      Throwable error = trace.error();
      if (error != null) {
        l.observation.error(error); // the span is marked failed, with the typed message
      }
      l.observation.stop(); // key values (outcome, error.type) are read from the final trace now
    }
  }

  private void tokens(Tags model, String type, long count) {
    if (count < 0) {
      return;
    }
    DistributionSummary.builder(TOKEN_USAGE)
        .description("Number of input and output tokens used")
        .serviceLevelObjectives(GenAi.TOKEN_BUCKETS)
        .tags(model)
        .tag(GenAi.TOKEN_TYPE, type)
        .register(registry)
        .record(count);
  }

  private static String recoveryResult(StreamTrace t) {
    switch (t.outcome()) {
      case "recovered":
        return "success";
      case "cancelled":
        return "cancelled";
      default:
        return "failure";
    }
  }

  private static Tags modelTags(StreamTrace t) {
    return Tags.of(
        GenAi.OPERATION_NAME, GenAi.OPERATION_CHAT,
        GenAi.PROVIDER_NAME, t.providerName(),
        GenAi.REQUEST_MODEL, t.requestModel(),
        GenAi.RESPONSE_MODEL, GenAi.orNone(t.responseModel()),
        GenAi.SERVER_ADDRESS, GenAi.orNone(t.serverAddress()));
  }

  @Override
  public String toString() {
    return "LlmStreamMetrics[active=" + active.get() + ", observations=" + (observations != null) + "]";
  }

  /** Per-stream state, from request sent to end. */
  private static final class Live {
    final @Nullable Observation observation;
    volatile @Nullable Timer perChunk;

    Live(@Nullable Observation observation) {
      this.observation = observation;
    }
  }

  /**
   * Configures {@link LlmStreamMetrics}. Not thread-safe; {@link #build()} registers the gauges and
   * returns the thread-safe listener. Setting a value twice is an error.
   */
  public static final class Builder {
    private final MeterRegistry registry;
    private @Nullable ObservationRegistry observations;
    private @Nullable StreamObservationConvention convention;

    private Builder(MeterRegistry registry) {
      this.registry = registry;
    }

    /**
     * Also records one {@link Observation} per answer (with events {@code gen_ai.first_chunk} and
     * {@code llmstream.cancel}): spans with a tracing handler, timers with Micrometer's meter handler.
     *
     * @param registry the observation registry
     * @return this builder
     * @throws NullPointerException if {@code registry} is null
     * @throws IllegalStateException if already set
     */
    public Builder observationRegistry(ObservationRegistry registry) {
      Objects.requireNonNull(registry, "registry");
      if (observations != null) {
        throw new IllegalStateException("observationRegistry was already set");
      }
      observations = registry;
      return this;
    }

    /**
     * Replaces {@link DefaultStreamObservationConvention} for the observations.
     *
     * @param convention the convention
     * @return this builder
     * @throws NullPointerException if {@code convention} is null
     * @throws IllegalStateException if already set
     */
    public Builder observationConvention(StreamObservationConvention convention) {
      Objects.requireNonNull(convention, "convention");
      if (this.convention != null) {
        throw new IllegalStateException("observationConvention was already set");
      }
      this.convention = convention;
      return this;
    }

    /**
     * Registers the gauges and returns the listener.
     *
     * @return the metrics listener, for {@code GroqProvider.Builder.listener(..)}
     */
    public LlmStreamMetrics build() {
      return new LlmStreamMetrics(this);
    }
  }
}
