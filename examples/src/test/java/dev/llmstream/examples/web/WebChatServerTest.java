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
  private final HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
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
    if (prompt.startsWith("flaky")) {
      String answer = "A flaky network answer that arrives in two parts, without a repeated word.";
      return request.assistantPrefill().isEmpty()
          ? ResponseScript.builder().text(answer).disconnectAfter(8).build()
          : ResponseScript.continuing(answer, request);
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

  /** Reads the run's events until the first text event, then drops the connection. */
  private void awaitText(String run) throws Exception {
    HttpResponse<java.io.InputStream> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "api/runs/" + run + "/events")).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (java.io.BufferedReader in =
        new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null && !line.equals("event: text"); ) {
        // skip to the first text event
      }
    }
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
    String run = post("/api/chat", "{\"chat\":\"s1\",\"message\":\"hello\"}").get("run").asText();
    List<Sse> events = events(run, 0);
    assertThat(events.get(0).type()).isEqualTo("typing");
    assertThat(text(events)).isEqualTo("Answer to: hello. Second sentence! Done.");
    Sse done = events.get(events.size() - 1);
    assertThat(done.data().get("state").asText()).isEqualTo("COMPLETED");
    JsonNode session = get("/api/chats/s1");
    assertThat(session.get("running").isNull()).isTrue();
    assertThat(session.get("history")).hasSize(2);
    assertThat(session.get("history").get(1).get("text").asText()).isEqualTo(text(events));
    // Ids increase, so a page can resume from the last one it saw.
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).id()).isGreaterThan(events.get(i - 1).id());
    }
  }

  @Test
  void resumingFromAnEventIdRepeatsNothing() throws Exception {
    String run = post("/api/chat", "{\"chat\":\"s2\",\"message\":\"hello\"}").get("run").asText();
    List<Sse> all = events(run, 0);
    int cut = all.size() / 2;
    List<Sse> rest = events(run, all.get(cut - 1).id());
    assertThat(text(all.subList(0, cut)) + text(rest)).isEqualTo(text(all));
    assertThat(rest.get(0).id()).isGreaterThan(all.get(cut - 1).id());
  }

  @Test
  void stopCancelsTheModelCallAndKeepsThePartialAnswer() throws Exception {
    String run = post("/api/chat", "{\"chat\":\"s3\",\"message\":\"slow please\"}").get("run").asText();
    awaitText(run); // some of the answer has reached the run
    post("/api/runs/" + run + "/stop", "");
    List<Sse> events = events(run, 0);
    Sse done = events.get(events.size() - 1);
    assertThat(done.data().get("state").asText()).isEqualTo("CANCELLED");
    assertThat(text(events)).startsWith("s0 ");
    assertThat(fake.awaitEnded(0, Duration.ofSeconds(10)).ending())
        .isEqualTo(dev.llmstream.testkit.ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    JsonNode history = get("/api/chats/s3").get("history");
    assertThat(history.get(1).get("state").asText()).isEqualTo("CANCELLED");
    assertThat(history.get(1).get("text").asText()).isEqualTo(text(events));
  }

  @Test
  void aFailedAnswerShowsATypedErrorAndRetryAnswersAgain() throws Exception {
    failuresLeft.set(1);
    String run = post("/api/chat", "{\"chat\":\"s4\",\"message\":\"fail once\"}").get("run").asText();
    List<Sse> events = events(run, 0);
    JsonNode done = events.get(events.size() - 1).data();
    assertThat(done.get("state").asText()).isEqualTo("FAILED");
    assertThat(done.get("error").get("type").asText()).isEqualTo("BAD_REQUEST");
    assertThat(done.get("error").get("message").asText()).contains("Scripted failure");
    String retry = post("/api/chats/s4/retry", "").get("run").asText();
    assertThat(text(events(retry, 0))).isEqualTo("Answer to: fail once. Second sentence! Done.");
    // The failed answer is not sent back to the model as context.
    JsonNode sent = JSON.readTree(fake.requests().get(1).body()).get("messages");
    assertThat(sent.get(sent.size() - 1).get("role").asText()).isEqualTo("user");
  }

  @Test
  void sessionsStreamAtTheSameTimeWithoutInterfering() throws Exception {
    // One browser (one sid cookie) may run 3 answers at once (AnswerRuns' default per-owner limit): with
    // more, a post that came before an earlier answer ended got a 409 on a loaded machine.
    int chats = 3;
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (int i = 0; i < chats; i++) {
      String session = "multi-" + i;
      String run = post("/api/chat", "{\"chat\":\"" + session + "\",\"message\":\"q" + i + "\"}").get("run").asText();
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
    for (int i = 0; i < chats; i++) {
      assertThat(answers.get(i).get()).isEqualTo("Answer to: q" + i + ". Second sentence! Done.");
    }
  }

  @Test
  void aCutMidAnswerShowsReconnectingThenOneContinuousAnswer() throws Exception {
    String run = post("/api/chat", "{\"chat\":\"s6\",\"message\":\"flaky link\"}").get("run").asText();
    List<Sse> events = events(run, 0);
    assertThat(events).extracting(Sse::type).contains("recovering");
    assertThat(text(events)).isEqualTo("A flaky network answer that arrives in two parts, without a repeated word.");
    assertThat(events.get(events.size() - 1).data().get("state").asText()).isEqualTo("COMPLETED");
    assertThat(fake.requests()).hasSize(2);
  }

  @Test
  void badInputGetsAClearClientError() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "api/chat"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"chat\":\"s5\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("'message' must be a non-empty string");
  }

  private HttpResponse<String> raw(HttpClient client, String method, String path, @org.jspecify.annotations.Nullable String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).timeout(Duration.ofSeconds(30));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theSidCookieIsSetOnceHttpOnlyAndStrict() throws Exception {
    HttpClient plain = HttpClient.newHttpClient();
    HttpResponse<String> r = raw(plain, "GET", "/", null);
    String cookie = r.headers().firstValue("set-cookie").orElseThrow();
    assertThat(cookie).matches("sid=[A-Za-z0-9_-]{22}; Path=/; HttpOnly; SameSite=Strict");
    HttpResponse<String> again =
        plain.send(
            HttpRequest.newBuilder(URI.create(server.url())).header("Cookie", cookie.split(";")[0]).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(again.headers().firstValue("set-cookie")).isEmpty();
  }

  @Test
  void aStrangerCannotReadStopOrEvenSeeARun() throws Exception {
    String run = post("/api/chat", "{\"chat\":\"iso\",\"message\":\"slow please\"}").get("run").asText();
    fake.awaitChunks(0, 3, Duration.ofSeconds(30));
    HttpClient stranger = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
    HttpClient noCookie = HttpClient.newHttpClient();
    for (HttpClient other : List.of(stranger, noCookie)) {
      HttpResponse<String> events = raw(other, "GET", "/api/runs/" + run + "/events", null);
      HttpResponse<String> stop = raw(other, "POST", "/api/runs/" + run + "/stop", "");
      HttpResponse<String> unknown = raw(other, "GET", "/api/runs/AAAAAAAAAAAAAAAAAAAAAA/events", null);
      assertThat(events.statusCode()).isEqualTo(404);
      assertThat(stop.statusCode()).isEqualTo(404);
      assertThat(events.body()).isEqualTo(unknown.body()); // nothing tells a stranger the run exists
    }
    // The run is untouched: the owner stops it and sees it end CANCELLED, by the owner's stop.
    assertThat(server.runs().producing()).isEqualTo(1);
    post("/api/runs/" + run + "/stop", "");
    JsonNode done = events(run, 0).get(events(run, 0).size() - 1).data();
    assertThat(done.get("state").asText()).isEqualTo("CANCELLED");
    assertThat(done.get("stoppedBy").asText()).isEqualTo("user");
  }

  @Test
  void aSecondQuestionWhileAnswerRunsIsAConflict() throws Exception {
    String run = post("/api/chat", "{\"chat\":\"busy\",\"message\":\"slow please\"}").get("run").asText();
    HttpResponse<String> second = raw(http, "POST", "/api/chat", "{\"chat\":\"busy\",\"message\":\"again\"}");
    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(second.body()).contains("already running");
    post("/api/runs/" + run + "/stop", "");
    events(run, 0);
    assertThat(raw(http, "POST", "/api/chat", "{\"chat\":\"busy\",\"message\":\"again\"}").statusCode()).isEqualTo(200);
  }

  @Test
  void resumingAfterTheDoneEventIsNoContent() throws Exception {
    String run = post("/api/chat", "{\"message\":\"hello\"}").get("run").asText();
    List<Sse> all = events(run, 0);
    long doneId = all.get(all.size() - 1).id();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "api/runs/" + run + "/events"))
                .header("Last-Event-ID", Long.toString(doneId))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(raw(http, "GET", "/api/runs/" + run + "/events?after=x1", null).statusCode()).isEqualTo(400);
  }

  @Test
  void theLeastRecentlyUsedIdleChatIsForgottenWhenTheServerIsFull() throws Exception {
    server.close();
    server = WebChatServer.start("127.0.0.1", 0, dev.llmstream.web.AnswerRuns.builder(provider).build(), "fake", 2);
    events(post("/api/chat", "{\"chat\":\"a\",\"message\":\"one\"}").get("run").asText(), 0);
    events(post("/api/chat", "{\"chat\":\"b\",\"message\":\"two\"}").get("run").asText(), 0);
    get("/api/chats/b"); // b is used more recently than a
    events(post("/api/chat", "{\"chat\":\"c\",\"message\":\"three\"}").get("run").asText(), 0);
    assertThat(get("/api/chats/b").get("history")).hasSize(2); // kept
    assertThat(get("/api/chats/a").get("history")).isEmpty(); // forgotten to make room
  }

  @Test
  void textEventsCarryTheRelaysSendTime() throws Exception {
    long before = System.currentTimeMillis();
    String run = post("/api/chat", "{\"message\":\"hello\"}").get("run").asText();
    List<Sse> texts = events(run, 0).stream().filter(e -> e.type().equals("text")).toList();
    long after = System.currentTimeMillis();
    assertThat(texts).isNotEmpty().allSatisfy(e -> {
      assertThat(e.data().get("t").isTextual()).isTrue();
      assertThat(e.data().get("st").asLong()).isBetween(before, after);
    });
  }

  @Test
  void uiMetricsAreRecordedForAKnownSessionOnlyAndBadReportsAreRefused() throws Exception {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    HttpResponse<String> unconfigured = raw(http, "POST", "/api/ui-metrics", "{\"displayLagMs\":[1]}");
    assertThat(unconfigured.statusCode()).as("without BrowserMetrics").isEqualTo(404);
    server.browserMetrics(dev.llmstream.micrometer.BrowserMetrics.register(meters));
    String report = "{\"displayLagMs\":[12.5,40,-3,90000],\"longFrames\":2}";

    // strangers: no cookie, and a well-formed cookie this server has no conversation for
    assertThat(raw(HttpClient.newHttpClient(), "POST", "/api/ui-metrics", report).statusCode()).isEqualTo(404);
    HttpClient stranger = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
    assertThat(raw(stranger, "GET", "/", null).statusCode()).isEqualTo(200); // has a sid cookie now, no chat
    assertThat(raw(stranger, "POST", "/api/ui-metrics", report).statusCode()).isEqualTo(404);
    assertThat(meters.get(dev.llmstream.micrometer.BrowserMetrics.DISPLAY_LAG).timer().count()).isZero();

    get("/api/chats/default"); // the page loads its conversation: a known session
    HttpResponse<String> ok = raw(http, "POST", "/api/ui-metrics", report);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(204);
    io.micrometer.core.instrument.Timer lag = meters.get(dev.llmstream.micrometer.BrowserMetrics.DISPLAY_LAG).timer();
    assertThat(lag.count()).isEqualTo(4);
    assertThat(lag.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(12.5 + 40 + 0 + 60_000);
    assertThat(meters.get(dev.llmstream.micrometer.BrowserMetrics.LONG_FRAMES).counter().count()).isEqualTo(2);

    StringBuilder tooMany = new StringBuilder("{\"displayLagMs\":[");
    for (int i = 0; i <= WebChatServer.MAX_UI_LAGS; i++) {
      tooMany.append(i == 0 ? "" : ",").append(i % 10);
    }
    String tooLarge = "{\"displayLagMs\":[1],\"pad\":\"" + "x".repeat(WebChatServer.MAX_UI_REPORT_BYTES) + "\"}";
    for (String bad : List.of(
        tooMany.append("]}").toString(), tooLarge, "not json", "[1,2]", "{\"displayLagMs\":\"12\"}",
        "{\"displayLagMs\":[\"12\"]}", "{\"displayLagMs\":[null]}", "{\"displayLagMs\":[1e999]}",
        "{\"longFrames\":-1}", "{\"longFrames\":1.5}", "{\"longFrames\":10001}", "{\"displayLagMs\":[1],\"longFrames\":\"2\"}")) {
      HttpResponse<String> r = raw(http, "POST", "/api/ui-metrics", bad);
      assertThat(r.statusCode()).as(bad.length() > 80 ? bad.substring(0, 80) : bad).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("error").asText()).isNotBlank();
    }
    // a bad report records nothing, not even its valid part
    assertThat(lag.count()).isEqualTo(4);
    assertThat(meters.get(dev.llmstream.micrometer.BrowserMetrics.LONG_FRAMES).counter().count()).isEqualTo(2);
    // exactly at the limits is fine
    StringBuilder max = new StringBuilder("{\"displayLagMs\":[");
    for (int i = 0; i < WebChatServer.MAX_UI_LAGS; i++) {
      max.append(i == 0 ? "" : ",").append("16.7");
    }
    assertThat(raw(http, "POST", "/api/ui-metrics", max.append("],\"longFrames\":10000}").toString()).statusCode())
        .isEqualTo(204);
    assertThat(lag.count()).isEqualTo(4 + WebChatServer.MAX_UI_LAGS);
  }
}
