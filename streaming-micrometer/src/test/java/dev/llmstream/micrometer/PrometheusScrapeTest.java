package dev.llmstream.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiConnection;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.web.AnswerRuns;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real answers (two completed, one stopped, one retried, one recovered, one shown in a UI) through the
 * Groq provider against the fake server, then a Prometheus scrape: the names as Prometheus renders them,
 * and every metric the Grafana dashboard ({@code docs/grafana/llmstream.json}) queries.
 */
class PrometheusScrapeTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String ANSWER = "The answer streams token by token into the page and survives a cut.";
  static String scrape;

  private static ResponseScript dispatch(RecordedRequest r) {
    switch (r.lastUserMessage()) {
      case "stop me":
        return ResponseScript.builder().text(ANSWER).stallAfter(3).build();
      case "retry me":
        return FAILED_ONCE.compareAndSet(false, true) ? ResponseScript.builder().status(503).retryAfter(Duration.ofMillis(10)).build() : ResponseScript.text(ANSWER);
      case "cut me":
        return r.assistantPrefill().isEmpty()
            ? ResponseScript.builder().text(ANSWER).disconnectAfter(4).build()
            : ResponseScript.continuing(ANSWER, r);
      default:
        return ResponseScript.text(ANSWER);
    }
  }

  private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
  private static AnswerRuns relay;

  @BeforeAll
  static void answer() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    LlmStreamMetrics metrics = LlmStreamMetrics.builder(prometheus).build();
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(PrometheusScrapeTest::dispatch).build().start();
        GroqProvider groq = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("llama-3.3-70b-versatile")
            .maxRetryDelay(Duration.ofSeconds(5)).listener(metrics).build();
        AnswerRuns runs = AnswerRuns.builder(groq).build()) {
      relay = runs; // the registry holds it weakly: keep it for the scrape
      RelayMetrics.bind(runs, prometheus);
      BrowserMetrics browser = BrowserMetrics.register(prometheus);
      browser.recordDisplayLag(21);
      browser.recordLongFrames(2);
      // two completed, one of them shown in a UI (display lag)
      assertThat(groq.stream(ChatRequest.ofUser("hello")).collect().get(10, TimeUnit.SECONDS).text()).isEqualTo(ANSWER);
      ChatResponse shown = UiConnection.connect(groq.stream(ChatRequest.ofUser("hello again")), (batch, full) -> { },
              Runnable::run, UiConfig.builder().metrics(metrics.uiListener()).build())
          .done().get(10, TimeUnit.SECONDS);
      assertThat(shown.text()).isEqualTo(ANSWER);
      // one stopped
      CancellationToken stop = CancellationToken.create();
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      groq.stream(ChatRequest.ofUser("stop me"), stop).subscribe(sub);
      sub.awaitCount(2, WAIT);
      stop.cancel();
      sub.awaitTerminal(WAIT);
      // one retried after a 503
      assertThat(groq.stream(ChatRequest.ofUser("retry me")).collect().get(10, TimeUnit.SECONDS).text()).isEqualTo(ANSWER);
      // one recovered after a cut mid-answer
      TokenStream cut = groq.stream(ChatRequest.ofUser("cut me"));
      assertThat(cut.collect().get(10, TimeUnit.SECONDS).text()).isEqualTo(ANSWER);
    }
    scrape = prometheus.scrape();
    Files.writeString(Path.of("target", "prometheus-scrape.txt"), scrape); // a sample for the docs
  }

  /** Sample names in the scrape (the part before '{' or ' ' of each non-comment line). */
  private static Set<String> sampleNames() {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  private static double value(String sample) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    throw new AssertionError("no sample " + sample + " in\n" + scrape);
  }

  private static double sumOf(String name, String... labels) {
    double sum = 0;
    boolean found = false;
    outer:
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      for (String l : labels) {
        if (!line.contains(l)) {
          continue outer;
        }
      }
      found = true;
      sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    assertThat(found).as("a sample %s with %s", name, List.of(labels)).isTrue();
    return sum;
  }

  @Test
  void theGenAiAndLlmstreamNamesAreExportedAsPrometheusRendersThem() {
    assertThat(sampleNames()).contains(
        "gen_ai_client_operation_duration_seconds_bucket",
        "gen_ai_client_operation_time_to_first_chunk_seconds_bucket",
        "gen_ai_client_operation_time_per_output_chunk_seconds_bucket",
        "llmstream_streams_total",
        "llmstream_cancel_latency_seconds_count",
        "llmstream_streams_active",
        "gen_ai_client_token_usage_bucket",
        "llmstream_relay_readers",
        "llmstream_relay_coalesced_total",
        "llmstream_ui_display_lag_seconds_bucket",
        "llmstream_ui_long_frames_total");
    assertThat(value("llmstream_ui_display_lag_seconds_count")).isEqualTo(1);
    assertThat(value("llmstream_ui_long_frames_total")).isEqualTo(2);
    assertThat(sumOf("gen_ai_client_operation_duration_seconds_count", "gen_ai_operation_name=\"chat\"",
        "gen_ai_request_model=\"llama-3.3-70b-versatile\"")).isGreaterThanOrEqualTo(3);
    assertThat(sumOf("llmstream_streams_total", "outcome=\"completed\"")).isGreaterThanOrEqualTo(2);
    assertThat(sumOf("llmstream_streams_total", "outcome=\"cancelled\"")).isEqualTo(1);
    assertThat(sumOf("llmstream_streams_total", "outcome=\"recovered\"")).isEqualTo(1);
    assertThat(sumOf("llmstream_cancel_latency_seconds_count")).isEqualTo(1);
    assertThat(scrape).contains("gen_ai_token_type=\"input\"").contains("gen_ai_token_type=\"output\"");
    assertThat(sumOf("llmstream_recovery_attempts_total", "result=\"success\"")).isEqualTo(1);
    assertThat(sumOf("llmstream_retries_total")).isEqualTo(1);
    // the convention's boundaries: the first duration bucket is 10 ms
    assertThat(scrape).contains("gen_ai_client_operation_duration_seconds_bucket{").contains("le=\"0.01\"");
    assertThat(value("llmstream_streams_active")).isZero();
    assertThat(scrape).doesNotContain("req_").doesNotContain("stop me").doesNotContain("Bearer");
  }

  @Test
  void everyMetricTheGrafanaDashboardQueriesIsInTheScrape() throws IOException {
    Path dashboard = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("grafana/llmstream.json");
    JsonNode root = new ObjectMapper().readTree(Files.readString(dashboard));
    List<String> queries = new ArrayList<>();
    root.findValues("expr").forEach(n -> queries.add(n.asText()));
    root.findValues("definition").forEach(n -> queries.add(n.asText()));
    assertThat(queries).hasSizeGreaterThanOrEqualTo(10);
    Set<String> queried = new TreeSet<>();
    Matcher m = Pattern.compile("\\b(?:gen_ai|llmstream)_[a-z0-9_]+\\b").matcher(String.join("\n", queries));
    while (m.find()) {
      queried.add(m.group());
    }
    queried.removeIf(n -> n.startsWith("gen_ai_token_type") || n.startsWith("gen_ai_request_model")
        || n.startsWith("gen_ai_operation_name")); // labels, not metrics
    assertThat(queried).as("metrics the dashboard queries").hasSizeGreaterThanOrEqualTo(8);
    assertThat(sampleNames()).as("the scrape after real answers").containsAll(queried);
    // the panels the issue asks for
    List<String> titles = new ArrayList<>();
    root.get("panels").forEach(p -> titles.add(p.get("title").asText()));
    assertThat(String.join("|", titles)).contains("Time to first chunk", "duration", "tokens/s", "outcome",
        "Error rate", "Recovery success", "Cancel latency", "UI delivery lag", "Display lag in the browser",
        "Long frames", "Relay readers", "Relay coalescing");
    assertThat(queried).contains("llmstream_ui_display_lag_seconds_bucket", "llmstream_ui_long_frames_total",
        "llmstream_relay_readers", "llmstream_relay_coalesced_total");
  }
}
