package dev.llmstream.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.redis.testing.RedisTestServer;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two {@code web} processes ({@code java -jar streaming-examples.jar web --redis redis://…}) sharing a real
 * {@code redis-server} and one standalone fake upstream, checked from outside over HTTP: the cookie from A
 * is valid on B, an answer started on A is read on B exactly, Stop sent to B closes A's model call, and
 * after {@code kill -9} of A mid-answer B continues it (CONTINUE with the partial answer as prefill).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebRedisIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 11;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final RedisTestServer REDIS = new RedisTestServer();
  private static FakeGroqServer upstream;
  private static WebJar a;
  private static WebJar b;
  private static String baseA;
  private static String baseB;

  @BeforeAll
  static void start() throws Exception {
    REDIS.start();
    upstream = FakeGroqServerMain.start(new String[] {"--tokens-per-second", "40", "--seed", Long.toString(SEED)},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    a = WebJar.start(upstream.baseUrl(), "redis-key", "web-redis", "--redis", REDIS.uri());
    b = WebJar.start(upstream.baseUrl(), "redis-key", "web-redis", "--redis", REDIS.uri());
    baseA = a.base();
    baseB = b.base();
  }

  @AfterAll
  static void stop() throws Exception {
    for (WebJar p : new WebJar[] {a, b}) {
      if (p != null) {
        p.close();
      }
    }
    if (upstream != null) {
      upstream.close();
    }
    REDIS.close();
  }

  private static String newSid(String base) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    String cookie = r.headers().firstValue("set-cookie").orElseThrow();
    return cookie.substring(0, cookie.indexOf(';'));
  }

  private static HttpResponse<String> send(String base, String method, String path, String sid, String body)
      throws Exception {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    rb.header("Cookie", sid).header("Content-Type", "application/json");
    rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(rb.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String ask(String base, String sid, String message) throws Exception {
    HttpResponse<String> r =
        send(base, "POST", "/api/chat", sid, JSON.writeValueAsString(JSON.createObjectNode().put("message", message)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("run").asText();
  }

  record Ev(long id, String type, JsonNode data) {}

  /** Reads events after {@code lastId} until {@code max} or done, then drops the connection. */
  private static List<Ev> read(String base, String sid, String run, long lastId, int max) throws Exception {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + "/api/runs/" + run + "/events"))
        .timeout(Duration.ofSeconds(60)).header("Cookie", sid);
    if (lastId > 0) {
      rb.header("Last-Event-ID", Long.toString(lastId));
    }
    HttpResponse<InputStream> r = HTTP.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
    List<Ev> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      assertThat(r.statusCode()).isEqualTo(200);
      long id = -1;
      String type = null;
      for (String line; out.size() < max && (line = in.readLine()) != null; ) {
        if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          out.add(new Ev(id, type, JSON.readTree(line.substring(6))));
          if ("done".equals(type)) {
            break;
          }
        }
      }
    }
    return out;
  }

  /** Reads to the end, reconnecting with the last id whenever the stream closes early (as the browser does). */
  private static List<Ev> readToEnd(String base, String sid, String run, List<Ev> already) throws Exception {
    List<Ev> all = new ArrayList<>(already);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (all.isEmpty() || !all.get(all.size() - 1).type().equals("done")) {
      assertThat(System.nanoTime()).as("the answer ends within 90 s").isLessThan(deadline);
      all.addAll(read(base, sid, run, all.isEmpty() ? 0 : all.get(all.size() - 1).id(), Integer.MAX_VALUE));
    }
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).id()).isGreaterThan(all.get(i - 1).id());
    }
    return all;
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

  private static String answer(String message) {
    return SimulatedModel.builder().seed(SEED).build().answer(message);
  }

  @Test
  @Order(1)
  void anAnswerStartedOnAIsReadOnBExactlyWithAsCookie() throws Exception {
    String sid = newSid(baseA);
    String message = "How do answers survive the instance?";
    String run = ask(baseA, sid, message);
    List<Ev> all = readToEnd(baseB, sid, run, read(baseB, sid, run, 0, 5));
    assertThat(text(all)).isEqualTo(answer(message));
    assertThat(all.get(all.size() - 1).data().get("state").asText()).isEqualTo("COMPLETED");
    String stranger = newSid(baseB);
    assertThat(send(baseB, "GET", "/api/runs/" + run + "/events", stranger, null).statusCode()).isEqualTo(404);
  }

  @Test
  @Order(2)
  void stopSentToBEndsTheRunCancelledAndClosesAsModelCall() throws Exception {
    String sid = newSid(baseA);
    int index = upstream.requests().size();
    String run = ask(baseA, sid, "Please explain stopping across servers in detail.");
    List<Ev> first = read(baseA, sid, run, 0, 6);
    assertThat(send(baseB, "POST", "/api/runs/" + run + "/stop", sid, null).statusCode()).isBetween(200, 299);
    List<Ev> all = readToEnd(baseB, sid, run, first);
    assertThat(all.get(all.size() - 1).data().get("state").asText()).isEqualTo("CANCELLED");
    assertThat(upstream.awaitEnded(index, Duration.ofSeconds(10)).ending())
        .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
  }

  @Test
  @Order(3)
  void afterKillMinus9OfAMidAnswerBContinuesItAndTheReaderGetsTheExactAnswer() throws Exception {
    String sid = newSid(baseB);
    int index = upstream.requests().size();
    String message = "Tell me a long story about fail-over between servers.";
    String run = ask(baseA, sid, message);
    List<Ev> first = read(baseB, sid, run, 0, 8);
    assertThat(text(first)).isNotEmpty();
    a.process().destroyForcibly(); // SIGKILL: no shutdown hook, no done event from A
    assertThat(a.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
    List<Ev> all = readToEnd(baseB, sid, run, first);
    assertThat(text(all)).isEqualTo(answer(message));
    assertThat(all.get(all.size() - 1).data().get("state").asText()).isEqualTo("COMPLETED");
    assertThat(all).extracting(Ev::type).contains("recovering");
    assertThat(upstream.requests().size()).isGreaterThan(index + 1);
    String prefill = upstream.requests().get(upstream.requests().size() - 1).assistantPrefill();
    assertThat(prefill).isNotEmpty();
    assertThat(answer(message)).startsWith(prefill);
  }
}
