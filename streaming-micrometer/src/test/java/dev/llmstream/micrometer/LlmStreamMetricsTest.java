package dev.llmstream.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.Chunking;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Micrometer bridge against a real provider and the fake Groq server, on one virtual clock: exact
 * GenAI histogram values, llmstream counters, and one observation per answer with its events.
 */
class LlmStreamMetricsTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final TestObservationRegistry observations = TestObservationRegistry.create();
  private final List<String> events = new CopyOnWriteArrayList<>();

  LlmStreamMetricsTest() {
    observations.observationConfig().observationHandler(new ObservationHandler<>() {
      @Override
      public void onEvent(Observation.Event event, Observation.Context context) {
        events.add(event.getName());
      }

      @Override
      public boolean supportsContext(Observation.Context context) {
        return context instanceof StreamObservationContext;
      }
    });
  }

  private static void step(VirtualScheduler clock, TestSubscriber<StreamEvent> sub, int n) {
    Duration d = clock.nextDelay();
    clock.advance(d == null ? Duration.ZERO : d);
    sub.awaitCount(n, WAIT);
  }

  private static ResponseScript paced() {
    return ResponseScript.builder()
        .text("one two three four")
        .chunking(Chunking.perWord())
        .model("served-model")
        .promptTokens(12)
        .timeToFirstToken(Duration.ofMillis(350)) // the first word (with the role chunk right before it)
        .tokensPerSecond(20)
        .jitter(0)
        .build();
  }

  private GroqProvider provider(FakeGroqServer server, VirtualScheduler clock, LlmStreamMetrics metrics) {
    return GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("requested-model").scheduler(clock)
        .firstTokenTimeout(Duration.ofHours(1)).listener(metrics).build();
  }

  private Meter.Id only(String name) {
    List<Meter> found = meters.find(name).meters().stream().toList();
    assertThat(found).as(name).hasSize(1);
    return found.get(0).getId();
  }

  @Test
  void aCompletedAnswerRecordsTheGenAiHistogramsExactly() {
    VirtualScheduler clock = new VirtualScheduler();
    LlmStreamMetrics metrics = LlmStreamMetrics.builder(meters).observationRegistry(observations).build();
    try (FakeGroqServer server = FakeGroqServer.builder().scheduler(clock).always(paced()).build().start();
        GroqProvider p = provider(server, clock, metrics)) {
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("a prompt that must not become a tag")).subscribe(sub);
      server.awaitRequests(1, WAIT);
      step(clock, sub, 1);
      assertThat(meters.get(LlmStreamMetrics.STREAMS_ACTIVE).gauge().value()).isEqualTo(1);
      for (int n = 2; n <= 5; n++) { // 350 ms: the first word, then one every 50 ms
        step(clock, sub, n);
      }
      step(clock, sub, 6); // the finish, with usage
      sub.awaitTerminal(WAIT);
    }
    Timer duration = meters.get(LlmStreamMetrics.OPERATION_DURATION).timer();
    assertThat(duration.count()).isEqualTo(1);
    assertThat(duration.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(550);
    assertThat(duration.getId().getTag("gen_ai.operation.name")).isEqualTo("chat");
    assertThat(duration.getId().getTag("gen_ai.provider.name")).isEqualTo("groq");
    assertThat(duration.getId().getTag("gen_ai.request.model")).isEqualTo("requested-model");
    assertThat(duration.getId().getTag("gen_ai.response.model")).isEqualTo("served-model");
    assertThat(duration.getId().getTag("server.address")).isEqualTo("127.0.0.1");
    assertThat(duration.getId().getTag("error.type")).isEqualTo("none");
    assertThat(duration.getId().getBaseUnit()).isEqualTo("seconds");

    Timer ttfc = meters.get(LlmStreamMetrics.TIME_TO_FIRST_CHUNK).timer();
    assertThat(ttfc.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(350);
    assertThat(ttfc.getId().getTag("gen_ai.response.model")).isEqualTo("served-model"); // known by then
    Timer perChunk = meters.get(LlmStreamMetrics.TIME_PER_OUTPUT_CHUNK).timer();
    assertThat(perChunk.count()).isEqualTo(3);
    assertThat(perChunk.max(TimeUnit.MILLISECONDS)).isEqualTo(50);
    // the convention's bucket boundaries, not Micrometer's defaults
    assertThat(duration.takeSnapshot().histogramCounts()).extracting(c -> c.bucket(TimeUnit.SECONDS))
        .startsWith(0.01, 0.02, 0.04).endsWith(81.92);

    DistributionSummary input = meters.get(LlmStreamMetrics.TOKEN_USAGE).tag("gen_ai.token.type", "input").summary();
    DistributionSummary output = meters.get(LlmStreamMetrics.TOKEN_USAGE).tag("gen_ai.token.type", "output").summary();
    assertThat(input.totalAmount()).isEqualTo(12);
    assertThat(output.totalAmount()).isEqualTo(4);

    assertThat(meters.get(LlmStreamMetrics.STREAMS).tag("outcome", "completed").counter().count()).isEqualTo(1);
    assertThat(meters.get(LlmStreamMetrics.STREAMS_ACTIVE).gauge().value()).isZero();
    assertThat(meters.find(LlmStreamMetrics.CANCEL_LATENCY).timer()).isNull();
    // no prompt and no request id anywhere in the tags
    meters.getMeters().forEach(m -> m.getId().getTags().forEach(tag -> {
      assertThat(tag.getValue()).doesNotContain("prompt").doesNotStartWith("req_");
    }));

    assertThat(observations)
        .hasNumberOfObservationsEqualTo(1)
        .hasObservationWithNameEqualTo("gen_ai.client.operation")
        .that()
        .hasContextualNameEqualTo("chat requested-model")
        .hasLowCardinalityKeyValue("gen_ai.response.model", "served-model")
        .hasLowCardinalityKeyValue("llmstream.outcome", "completed")
        .hasHighCardinalityKeyValueWithKey("gen_ai.response.id")
        .hasBeenStarted()
        .hasBeenStopped();
    assertThat(events).containsExactly("gen_ai.first_chunk");
  }

  @Test
  void aStopAndAFailureAreCountedByOutcomeWithCancelLatencyAndErrorType() {
    VirtualScheduler clock = new VirtualScheduler();
    LlmStreamMetrics metrics = LlmStreamMetrics.builder(meters).observationRegistry(observations).build();
    try (FakeGroqServer server = FakeGroqServer.builder().scheduler(clock)
            .enqueue(paced().toBuilder().stallAfter(3).build())
            .enqueue(ResponseScript.httpError(400))
            .build().start();
        GroqProvider p = provider(server, clock, metrics)) {
      CancellationToken stop = CancellationToken.create();
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("x"), stop).subscribe(sub);
      server.awaitRequests(1, WAIT);
      step(clock, sub, 1);
      step(clock, sub, 2);
      stop.cancel();
      sub.awaitTerminal(WAIT);

      TestSubscriber<StreamEvent> failing = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("y")).subscribe(failing);
      server.awaitRequests(2, WAIT);
      clock.runDue();
      failing.awaitTerminal(WAIT);
    }
    assertThat(meters.get(LlmStreamMetrics.STREAMS).tag("outcome", "cancelled").counter().count()).isEqualTo(1);
    assertThat(meters.get(LlmStreamMetrics.STREAMS).tag("outcome", "failed").tag("error.type", "bad_request")
        .counter().count()).isEqualTo(1);
    Timer cancel = meters.get(LlmStreamMetrics.CANCEL_LATENCY).timer();
    assertThat(cancel.count()).isEqualTo(1);
    assertThat(cancel.totalTime(TimeUnit.NANOSECONDS)).isZero(); // the virtual clock stood still
    assertThat(meters.get(LlmStreamMetrics.OPERATION_DURATION).tag("error.type", "bad_request").timer().count())
        .isEqualTo(1);
    // every meter of one name has one set of tag keys (Prometheus rejects anything else)
    meters.getMeters().stream().map(m -> m.getId().getName()).distinct().forEach(name -> assertThat(
            meters.find(name).meters().stream()
                .map(m -> m.getId().getTags().stream().map(t -> t.getKey()).toList()).distinct().count())
        .as(name).isEqualTo(1));
    assertThat(events).containsExactly("gen_ai.first_chunk", "llmstream.cancel");
    assertThat(observations).hasNumberOfObservationsEqualTo(2)
        .hasAnObservation(o -> o.hasLowCardinalityKeyValue("error.type", "bad_request")
            .assertThatError().isInstanceOf(StreamException.class))
        .hasAnObservationWithAKeyValue("llmstream.outcome", "cancelled");
    assertThat(meters.get(LlmStreamMetrics.STREAMS_ACTIVE).gauge().value()).isZero();
  }

  @Test
  void uiLagAndBuilderChecks() {
    LlmStreamMetrics metrics = LlmStreamMetrics.builder(meters).build();
    java.util.List<String> seen = new java.util.ArrayList<>();
    dev.llmstream.core.UiSink sink = metrics.instrument((batch, full) -> seen.add("text:" + batch));
    sink.onText("abc", "abc");
    sink.onProgress(new dev.llmstream.core.StreamMetrics(dev.llmstream.core.StreamState.STREAMING, Duration.ZERO,
        Duration.ofMillis(30), 3, 12, 1, Duration.ZERO, Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(20),
        Duration.ofMillis(20), null, null, 0, 0));
    assertThat(seen).containsExactly("text:abc");
    Timer lag = meters.get(LlmStreamMetrics.UI_DELIVERY_LAG).timer();
    assertThat(lag.count()).isEqualTo(1);
    assertThat(lag.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(20);
    assertThatThrownBy(() -> LlmStreamMetrics.builder(meters).observationRegistry(observations)
            .observationRegistry(observations))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("observationRegistry");
    assertThatThrownBy(() -> LlmStreamMetrics.builder(null)).hasMessageContaining("registry");
    assertThat(meters.find("llmstream.relay.readers").meters()).as("the relay's meters: RelayMetrics").isEmpty();
  }
}
