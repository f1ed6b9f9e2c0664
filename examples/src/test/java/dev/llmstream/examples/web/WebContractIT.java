package dev.llmstream.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.FakeGroqServerMain;
import dev.llmstream.testkit.SimulatedModel;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code web} example's contract checked from outside: the shaded jar runs as its own process
 * ({@code java -jar streaming-examples.jar web --port 0 --base-url … --api-key … --model …}) against the
 * testkit's standalone fake upstream, and this test speaks plain HTTP to it with cookies it manages itself.
 */
class WebContractIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 7;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static FakeGroqServer upstream;
  private static WebJar web;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    upstream =
        FakeGroqServerMain.start(
            new String[] {"--tokens-per-second", "60", "--seed", Long.toString(SEED)},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    web = WebJar.start(upstream.baseUrl(), "contract-key", "web-contract");
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

  private static String newSid() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    String cookie = r.headers().firstValue("set-cookie").orElseThrow();
    assertThat(cookie).startsWith("sid=").contains("HttpOnly").contains("SameSite=Strict");
    String sid = cookie.substring(0, cookie.indexOf(';'));
    assertThat(sid.substring(4)).matches("[A-Za-z0-9_-]{22,}"); // >= 128 bits
    return sid;
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

  private static String ask(String sid, String message) throws Exception {
    HttpResponse<String> r = send("POST", "/api/chat", sid, JSON.writeValueAsString(JSON.createObjectNode().put("message", message)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("run").asText();
  }

  record Ev(long id, String type, JsonNode data) {}

  /** Reads events (after {@code lastId}) until {@code max} or done, then drops the connection. */
  private static List<Ev> read(String sid, String run, long lastId, int max) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/runs/" + run + "/events")).timeout(Duration.ofSeconds(60));
    if (sid != null) {
      b.header("Cookie", sid);
    }
    if (lastId > 0) {
      b.header("Last-Event-ID", Long.toString(lastId));
    }
    HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    List<Ev> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
      long id = -1;
      String type = null;
      for (String line; out.size() < max && (line = in.readLine()) != null; ) {
        if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          assertThat(id).as("every event has an id").isPositive();
          out.add(new Ev(id, type, JSON.readTree(line.substring(6))));
          id = -1;
          if ("done".equals(type)) {
            break;
          }
        }
      }
    }
    return out;
  }

  private static String text(List<Ev> events) {
    StringBuilder sb = new StringBuilder();
    for (Ev e : events) {
      if (e.type().equals("text")) {
        sb.append(e.data().get("t").asText());
      } else if (e.type().equals("replaced")) {
        sb.setLength(0);
        sb.append(e.data().get("text").asText());
      }
    }
    return sb.toString();
  }

  @Test
  void anAnswerResumesWithLastEventIdExactlyAndASecondQuestionMeanwhileIsAConflict() throws Exception {
    String sid = newSid();
    String message = "How does a resumable relay work?";
    String run = ask(sid, message);
    assertThat(send("POST", "/api/chat", sid, "{\"message\":\"again\"}").statusCode()).isEqualTo(409);
    List<Ev> all = new ArrayList<>(read(sid, run, 0, 4));
    while (!all.get(all.size() - 1).type().equals("done")) {
      all.addAll(read(sid, run, all.get(all.size() - 1).id(), 6)); // drop and resume, again and again
    }
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).id()).isGreaterThan(all.get(i - 1).id());
    }
    assertThat(text(all)).isEqualTo(SimulatedModel.builder().seed(SEED).build().answer(message));
    assertThat(all.get(all.size() - 1).data().get("state").asText()).isEqualTo("COMPLETED");
  }

  @Test
  void anotherOwnersCookieOrNoneIs404AndTheRunIsUntouched() throws Exception {
    String alice = newSid();
    String bob = newSid();
    String run = ask(alice, "Tell me about owners.");
    for (String stranger : new String[] {bob, null}) {
      assertThat(send("GET", "/api/runs/" + run + "/events", stranger, null).statusCode()).isEqualTo(404);
      assertThat(send("POST", "/api/runs/" + run + "/stop", stranger, null).statusCode()).isEqualTo(404);
    }
    List<Ev> events = read(alice, run, 0, Integer.MAX_VALUE);
    assertThat(events.get(events.size() - 1).data().get("state").asText()).isEqualTo("COMPLETED");
    assertThat(text(events)).isEqualTo(SimulatedModel.builder().seed(SEED).build().answer("Tell me about owners."));
  }

  @Test
  void stopEndsTheRunCancelledAndClosesTheModelCall() throws Exception {
    String sid = newSid();
    int before = upstream.requests().size();
    String run = ask(sid, "Please explain stopping in detail.");
    List<Ev> first = read(sid, run, 0, 6);
    assertThat(text(first)).isNotEmpty();
    HttpResponse<String> stop = send("POST", "/api/runs/" + run + "/stop", sid, null);
    assertThat(stop.statusCode()).isBetween(200, 299);
    List<Ev> rest = read(sid, run, first.get(first.size() - 1).id(), Integer.MAX_VALUE);
    JsonNode done = rest.get(rest.size() - 1).data();
    assertThat(done.get("state").asText()).isEqualTo("CANCELLED");
    int index = before; // this test's model call
    assertThat(upstream.awaitEnded(index, Duration.ofSeconds(10)).ending())
        .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
  }

  @Test
  void metricsShowTheAnswersWithTheGenAiNamesInPrometheusFormat() throws Exception {
    String sid = newSid();
    for (String q : new String[] {"First question for the metrics.", "Second question for the metrics."}) {
      List<Ev> events = read(sid, ask(sid, q), 0, Integer.MAX_VALUE);
      assertThat(events.get(events.size() - 1).data().get("state").asText()).isEqualTo("COMPLETED");
    }
    String run = ask(sid, "A question that gets stopped.");
    List<Ev> first = read(sid, run, 0, 4);
    assertThat(send("POST", "/api/runs/" + run + "/stop", sid, null).statusCode()).isBetween(200, 299);
    List<Ev> rest = read(sid, run, first.get(first.size() - 1).id(), Integer.MAX_VALUE);
    assertThat(rest.get(rest.size() - 1).data().get("state").asText()).isEqualTo("CANCELLED");

    HttpResponse<String> metrics = send("GET", "/metrics", null, null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    String scrape = metrics.body();
    assertThat(counter(scrape, "gen_ai_client_operation_duration_seconds_count", "gen_ai_operation_name=\"chat\""))
        .isGreaterThanOrEqualTo(3);
    assertThat(scrape).contains("gen_ai_request_model=\"sim-1\"")
        .contains("gen_ai_client_operation_time_to_first_chunk_seconds_bucket")
        .contains("gen_ai_token_type=\"input\"").contains("gen_ai_token_type=\"output\"");
    assertThat(counter(scrape, "llmstream_streams_total", "outcome=\"completed\"")).isGreaterThanOrEqualTo(2);
    assertThat(counter(scrape, "llmstream_streams_total", "outcome=\"cancelled\"")).isGreaterThanOrEqualTo(1);
    assertThat(counter(scrape, "llmstream_cancel_latency_seconds_count", "")).isGreaterThanOrEqualTo(1);
  }

  /** The sum of a metric's samples whose labels contain {@code label}, from a Prometheus text scrape. */
  private static double counter(String scrape, String name, String label) {
    double sum = 0;
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
