package dev.llmstream.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The browser chat's HTTP API, driven with the JDK HttpClient (the browser test drives the page). */
class WebChatServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private FakeGroqServer fake;
  private GroqProvider provider;
  private WebChatServer server;

  @BeforeEach
  void start() throws Exception {
    fake =
        FakeGroqServer.builder()
            .dispatcher(this::script)
            .build()
            .start();
    provider = GroqProvider.builder().baseUrl(fake.baseUrl()).defaultModel("test-model").build();
    server = WebChatServer.start("127.0.0.1", 0, provider, "fake");
  }

  private ResponseScript script(RecordedRequest request) {
    String prompt = request.lastUserMessage();
    if (prompt.startsWith("slow")) {
      return ResponseScript.builder().generatedText(5_000, i -> "s" + i + " ").tokensPerSecond(100).build();
    }
    if (prompt.startsWith("fail") && failuresLeft.getAndDecrement() > 0) {
      return ResponseScript.builder().status(400).errorBody("invalid_request_error", "bad", "Scripted failure").build();
    }
    return ResponseScript.builder().text("Answer to: " + prompt + ". Second sentence! Done.").build();
  }

  @AfterEach
  void stop() {
    server.close();
    provider.close();
    fake.close();
  }

  private JsonNode post(String path, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + path.substring(1)))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  record Sse(long id, String type, JsonNode data) {}

  /** Reads the run's events from {@code after} until the done event. */
  private List<Sse> events(String run, long after) throws Exception {
    HttpResponse<java.util.stream.Stream<String>> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "api/runs/" + run + "/events?after=" + after))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<Sse> out = new ArrayList<>();
    long id = -1;
    String type = null;
    for (String line : (Iterable<String>) r.body()::iterator) {
      if (line.startsWith("id: ")) {
        id = Long.parseLong(line.substring(4));
      } else if (line.startsWith("event: ")) {
        type = line.substring(7);
      } else if (line.startsWith("data: ")) {
        out.add(new Sse(id, type, JSON.readTree(line.substring(6))));
        if ("done".equals(type)) {
          break;
        }
      }
    }
    return out;
  }

  private static String text(List<Sse> events) {
    StringBuilder sb = new StringBuilder();
    for (Sse e : events) {
      if (e.type().equals("text")) {
        sb.append(e.data().get("t").asText());
      }
    }
    return sb.toString();
  }

  @Test
  void anAnswerStreamsAsEventsAndLandsInTheHistory() throws Exception {
    String run = post("/api/chat", "{\"session\":\"s1\",\"message\":\"hello\"}").get("run").asText();
    List<Sse> events = events(run, 0);
    assertThat(events.get(0).type()).isEqualTo("typing");
    assertThat(text(events)).isEqualTo("Answer to: hello. Second sentence! Done.");
    Sse done = events.get(events.size() - 1);
    assertThat(done.data().get("state").asText()).isEqualTo("COMPLETED");
    JsonNode session = get("/api/session/s1");
    assertThat(session.get("running").isNull()).isTrue();
    assertThat(session.get("history")).hasSize(2);
    assertThat(session.get("history").get(1).get("text").asText()).isEqualTo(text(events));
    // Ids increase one by one, so a page can resume from the last one it saw.
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).id()).isEqualTo(i + 1L);
    }
  }

  @Test
  void resumingFromAnEventIdRepeatsNothing() throws Exception {
    String run = post("/api/chat", "{\"session\":\"s2\",\"message\":\"hello\"}").get("run").asText();
    List<Sse> all = events(run, 0);
    int cut = all.size() / 2;
    List<Sse> rest = events(run, all.get(cut - 1).id());
    assertThat(text(all.subList(0, cut)) + text(rest)).isEqualTo(text(all));
    assertThat(rest.get(0).id()).isEqualTo(all.get(cut).id());
  }

  @Test
  void stopCancelsTheModelCallAndKeepsThePartialAnswer() throws Exception {
    String run = post("/api/chat", "{\"session\":\"s3\",\"message\":\"slow please\"}").get("run").asText();
    fake.awaitChunks(0, 5, Duration.ofSeconds(30));
    post("/api/runs/" + run + "/stop", "");
    List<Sse> events = events(run, 0);
    Sse done = events.get(events.size() - 1);
    assertThat(done.data().get("state").asText()).isEqualTo("CANCELLED");
    assertThat(text(events)).startsWith("s0 s1 s2");
    assertThat(fake.awaitEnded(0, Duration.ofSeconds(10)).ending())
        .isEqualTo(dev.llmstream.testkit.ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    JsonNode history = get("/api/session/s3").get("history");
    assertThat(history.get(1).get("state").asText()).isEqualTo("CANCELLED");
    assertThat(history.get(1).get("text").asText()).isEqualTo(text(events));
  }

  @Test
  void aFailedAnswerShowsATypedErrorAndRetryAnswersAgain() throws Exception {
    failuresLeft.set(1);
    String run = post("/api/chat", "{\"session\":\"s4\",\"message\":\"fail once\"}").get("run").asText();
    List<Sse> events = events(run, 0);
    JsonNode done = events.get(events.size() - 1).data();
    assertThat(done.get("state").asText()).isEqualTo("FAILED");
    assertThat(done.get("error").get("type").asText()).isEqualTo("BAD_REQUEST");
    assertThat(done.get("error").get("message").asText()).contains("Scripted failure");
    String retry = post("/api/session/s4/retry", "").get("run").asText();
    assertThat(text(events(retry, 0))).isEqualTo("Answer to: fail once. Second sentence! Done.");
    // The failed answer is not sent back to the model as context.
    JsonNode sent = JSON.readTree(fake.requests().get(1).body()).get("messages");
    assertThat(sent.get(sent.size() - 1).get("role").asText()).isEqualTo("user");
  }

  @Test
  void sessionsStreamAtTheSameTimeWithoutInterfering() throws Exception {
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String session = "multi-" + i;
      String run = post("/api/chat", "{\"session\":\"" + session + "\",\"message\":\"q" + i + "\"}").get("run").asText();
      answers.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return text(events(run, 0));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    for (int i = 0; i < 5; i++) {
      assertThat(answers.get(i).get()).isEqualTo("Answer to: q" + i + ". Second sentence! Done.");
    }
  }

  @Test
  void badInputGetsAClearClientError() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "api/chat"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"session\":\"s5\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("'message' must be a non-empty string");
  }
}
