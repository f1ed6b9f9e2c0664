package dev.llmstream.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric the Grafana dashboard ({@code docs/grafana/llmstream.json}) queries is in the {@code web}
 * example's {@code GET /metrics} after real answers: the shaded jar runs as its own process against a fake
 * upstream that answers one question after a 503 (a retry) and cuts another mid-answer (a recovery); one
 * answer is stopped, and the page's report ({@code POST /api/ui-metrics}) is posted as a browser would.
 */
class WebDashboardIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final String ANSWER = "The answer streams token by token into the page and survives a cut.";
  private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
  private static FakeGroqServer upstream;
  private static WebJar web;
  private static String base;

  private static ResponseScript script(RecordedRequest r) {
    switch (r.lastUserMessage()) {
      case "retry me":
        return FAILED_ONCE.compareAndSet(false, true)
            ? ResponseScript.builder().status(503).retryAfter(Duration.ofMillis(10)).build()
            : ResponseScript.text(ANSWER);
      case "cut me":
        return r.assistantPrefill().isEmpty()
            ? ResponseScript.builder().text(ANSWER).disconnectAfter(4).build()
            : ResponseScript.continuing(ANSWER, r);
      case "stop me":
        return ResponseScript.builder().text(ANSWER).stallAfter(3).build();
      default:
        return ResponseScript.text(ANSWER);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    upstream = FakeGroqServer.builder().dispatcher(WebDashboardIT::script).build().start();
    web = WebJar.start(upstream.baseUrl(), "dashboard-key", "web-dashboard");
    base = web.base();
  }

  @AfterAll
  static void stop() throws Exception {
    if (web != null) {
      web.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static HttpResponse<String> send(String method, String path, String sid, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (sid != null) {
      b.header("Cookie", sid);
    }
    b.header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Reads a run's event types and data (after {@code lastId}) until {@code max} events or done. */
  private static List<JsonNode> read(String sid, String run, long lastId, int max) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/runs/" + run + "/events?after=" + lastId))
        .header("Cookie", sid).timeout(Duration.ofSeconds(60));
    HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      assertThat(r.statusCode()).isEqualTo(200);
      long id = 0;
      String type = null;
      for (String line; out.size() < max && (line = in.readLine()) != null; ) {
        if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          out.add(JSON.createObjectNode().put("id", id).put("type", type).set("data", JSON.readTree(line.substring(6))));
          if ("done".equals(type)) {
            break;
          }
        }
      }
    }
    return out;
  }

  private static String ask(String sid, String message) throws Exception {
    HttpResponse<String> r = send("POST", "/api/chat", sid, JSON.createObjectNode().put("message", message).toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("run").asText();
  }

  private static String doneState(List<JsonNode> events) {
    JsonNode last = events.get(events.size() - 1);
    assertThat(last.get("type").asText()).isEqualTo("done");
    return last.get("data").get("state").asText();
  }

  @Test
  void everyMetricTheDashboardQueriesIsInTheWebExamplesScrape() throws Exception {
    HttpResponse<String> page = send("GET", "/", null, null);
    String sid = page.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    for (String q : new String[] {"hello", "retry me", "cut me"}) {
      assertThat(doneState(read(sid, ask(sid, q), 0, Integer.MAX_VALUE))).as(q).isEqualTo("COMPLETED");
    }
    String run = ask(sid, "stop me");
    List<JsonNode> first = read(sid, run, 0, 2);
    assertThat(send("POST", "/api/runs/" + run + "/stop", sid, null).statusCode()).isEqualTo(200);
    long lastId = first.get(first.size() - 1).get("id").asLong();
    assertThat(doneState(read(sid, run, lastId, Integer.MAX_VALUE))).isEqualTo("CANCELLED");
    // what the page posts after an answer
    HttpResponse<String> report = send("POST", "/api/ui-metrics", sid, "{\"displayLagMs\":[18.5,33.1],\"longFrames\":1}");
    assertThat(report.statusCode()).as(report.body()).isEqualTo(204);

    String scrape = send("GET", "/metrics", null, null).body();
    Set<String> samples = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        samples.add(line.split("[{ ]", 2)[0]);
      }
    }
    Path dashboard = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("grafana/llmstream.json");
    JsonNode root = JSON.readTree(Files.readString(dashboard));
    List<String> queries = new ArrayList<>();
    root.findValues("expr").forEach(n -> queries.add(n.asText()));
    root.findValues("definition").forEach(n -> queries.add(n.asText()));
    Set<String> queried = new TreeSet<>();
    Matcher m = Pattern.compile("\\b(?:gen_ai|llmstream)_[a-z0-9_]+\\b").matcher(String.join("\n", queries));
    while (m.find()) {
      queried.add(m.group());
    }
    queried.removeIf(n -> n.startsWith("gen_ai_token_type") || n.startsWith("gen_ai_request_model")
        || n.startsWith("gen_ai_operation_name")); // labels, not metrics
    assertThat(queried).as("metrics the dashboard queries").hasSizeGreaterThanOrEqualTo(14);
    assertThat(samples).as("the web example's scrape after real answers").containsAll(queried);
    assertThat(value(scrape, "llmstream_ui_display_lag_seconds_count")).isEqualTo(2);
    assertThat(value(scrape, "llmstream_ui_long_frames_total")).isEqualTo(1);
    assertThat(scrape).contains("llmstream_recovery_attempts_total{").contains("result=\"success\"")
        .contains("llmstream_retries_total{").contains("outcome=\"cancelled\"");
  }

  private static double value(String scrape, String sample) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    throw new AssertionError("no sample " + sample + " in\n" + scrape);
  }
}
