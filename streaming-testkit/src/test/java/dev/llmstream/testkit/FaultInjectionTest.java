package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each fault really happens on the wire, as the JDK client sees it. */
class FaultInjectionTest {
  private static final String TEXT = "one two three four five six seven eight nine ten";
  private FakeGroqServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> postForString() throws Exception {
    return SseProbe.CLIENT.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
        .POST(HttpRequest.BodyPublishers.ofString(SseProbe.chatBody("hi"))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @CsvSource({
    "401, invalid_request_error, invalid_api_key",
    "429, tokens, rate_limit_exceeded",
    "498, capacity_exceeded, capacity_exceeded",
    "500, internal_server_error, internal_server_error",
    "503, internal_server_error, service_unavailable",
    "413, tokens, rate_limit_exceeded",
  })
  void httpErrorsCarryGroqBodiesAndHeaders(int status, String type, String code) throws Exception {
    server = FakeGroqServer.builder().always(ResponseScript.httpError(status)).build().start();
    HttpResponse<String> r = postForString();
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.headers().firstValue("x-request-id")).hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
    JsonNode error = SseProbe.parse(r.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo(type);
    assertThat(error.path("code").asText()).isEqualTo(code);
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(server.awaitEnded(0, SseProbe.WAIT).status()).isEqualTo(status);
  }

  @Test
  void rawBodyWritesExactlyTheGivenBytesOneWriteEach() throws Exception {
    byte[] notUtf8 = {'d', 'a', 't', 'a', ':', ' ', (byte) 0xC3}; // a UTF-8 sequence cut after its lead byte
    byte[] rest = {(byte) 0xBC, '\n', '\n'};
    server = FakeGroqServer.builder().always(ResponseScript.builder().rawBody(List.of(notUtf8, rest)).build())
        .build().start();
    HttpResponse<byte[]> r = SseProbe.CLIENT.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
        .POST(HttpRequest.BodyPublishers.ofString(SseProbe.chatBody("hi"))).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(r.body()).containsExactly('d', 'a', 't', 'a', ':', ' ', 0xC3, 0xBC, '\n', '\n');
    ConnectionRecord c = server.awaitEnded(0, SseProbe.WAIT);
    assertThat(c.ending()).isEqualTo(ConnectionRecord.Ending.COMPLETED);
    assertThat(c.chunksSent()).as("one chunk per write").isEqualTo(2);
  }

  @Test
  void rawBodyCountsWritesForDisconnectAndRejectsEmptyWrites() throws Exception {
    server = FakeGroqServer.builder().always(ResponseScript.builder()
        .rawBody(List.of("data: {}\n\n".getBytes(StandardCharsets.UTF_8))).disconnectAfter(1).build()).build().start();
    List<SseProbe.Item> items = SseProbe.post(server, System::nanoTime).read().drain();
    assertThat(SseProbe.dataLines(items)).containsExactly("{}");
    assertThat(items.get(items.size() - 1).error()).as("cut, not ended").isNotNull();
    assertThat(server.awaitEnded(0, SseProbe.WAIT).ending()).isEqualTo(ConnectionRecord.Ending.CUT);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ResponseScript.builder().rawBody(List.of(new byte[0])))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
  }

  @Test
  void rateLimitedSendsRetryAfterAndRateLimitHeaders() throws Exception {
    server = FakeGroqServer.builder()
        .always(ResponseScript.builder().status(429).retryAfter(Duration.ofMillis(2500))
            .header("x-ratelimit-reset-tokens", "2.5s").build())
        .build().start();
    HttpResponse<String> r = postForString();
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("retry-after")).hasValue("3");
    assertThat(r.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("0");
    assertThat(r.headers().firstValue("x-ratelimit-reset-tokens")).hasValue("2.5s");
  }

  @Test
  void customErrorBodyAndRawBody() throws Exception {
    server = FakeGroqServer.builder()
        .enqueue(ResponseScript.builder().status(400).errorBody("invalid_request_error", "tool_use_failed",
            "Tool choice is required").build())
        .enqueue(ResponseScript.builder().status(502).rawErrorBody("<html>bad gateway</html>").build())
        .build().start();
    assertThat(SseProbe.parse(postForString().body()).path("error").path("code").asText()).isEqualTo("tool_use_failed");
    HttpResponse<String> raw = postForString();
    assertThat(raw.statusCode()).isEqualTo(502);
    assertThat(raw.body()).isEqualTo("<html>bad gateway</html>");
  }

  @Test
  void nthRequestBehavesDifferentlyFromTheNext() throws Exception {
    server = FakeGroqServer.builder()
        .enqueue(ResponseScript.httpError(503))
        .enqueue(ResponseScript.builder().text(TEXT).disconnectAfter(2).build())
        .always(ResponseScript.text("recovered"))
        .build().start();
    assertThat(postForString().statusCode()).isEqualTo(503);
    assertThat(SseProbe.post(server, System::nanoTime).read().drain()).last()
        .satisfies(i -> assertThat(i.error()).isNotNull());
    assertThat(SseProbe.join(SseProbe.dataLines(SseProbe.post(server, System::nanoTime).read().drain()), "content"))
        .isEqualTo("recovered");
    server.awaitEnded(2, SseProbe.WAIT);
    assertThat(server.connections()).extracting(ConnectionRecord::ending).containsExactly(
        ConnectionRecord.Ending.COMPLETED, ConnectionRecord.Ending.CUT, ConnectionRecord.Ending.COMPLETED);
  }

  @Test
  void disconnectAfterNCutsTheConnectionAfterExactlyNEvents() throws Exception {
    server = FakeGroqServer.builder().always(ResponseScript.builder().text(TEXT).disconnectAfter(3).build())
        .build().start();
    SseProbe probe = SseProbe.post(server, System::nanoTime);
    assertThat(probe.response().statusCode()).isEqualTo(200);
    List<SseProbe.Item> items = probe.read().drain();
    assertThat(SseProbe.dataLines(items)).hasSize(3).doesNotContain("[DONE]");
    assertThat(items.get(items.size() - 1).error()).as("the body ends with an I/O error, not EOF").isNotNull();
    ConnectionRecord c = server.awaitEnded(0, SseProbe.WAIT);
    assertThat(c.ending()).isEqualTo(ConnectionRecord.Ending.CUT);
    assertThat(c.chunksSent()).isEqualTo(3);
  }

  @Test
  void disconnectAfterZeroCutsRightAfterHeaders() throws Exception {
    server = FakeGroqServer.builder().always(ResponseScript.builder().text(TEXT).disconnectAfter(0).build())
        .build().start();
    SseProbe probe = SseProbe.post(server, System::nanoTime);
    assertThat(probe.response().statusCode()).isEqualTo(200);
    List<SseProbe.Item> items = probe.read().drain();
    assertThat(items).hasSize(1);
    assertThat(items.get(0).error()).isNotNull();
  }

  @Test
  void stallKeepsTheConnectionOpenAndSilentUntilTheClientCloses() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    server = FakeGroqServer.builder().scheduler(clock)
        .always(ResponseScript.builder().text(TEXT).tokensPerSecond(10).stallAfter(2).build())
        .build().start();
    SseProbe probe = SseProbe.post(server, clock::nanoTime);
    server.awaitRequests(1, SseProbe.WAIT);
    clock.runDue(); // headers + first chunk
    probe.read();
    probe.nextLine();
    clock.advance(Duration.ofMillis(100));
    probe.nextLine();
    server.awaitChunks(0, 2, SseProbe.WAIT);
    clock.advance(Duration.ofHours(1));
    assertThat(probe.pollNonBlank(300)).as("a stall sends nothing, not even EOF").isNull();
    assertThat(clock.pendingTasks()).isZero();
    ConnectionRecord stalled = server.connections().get(0);
    assertThat(stalled.ending()).isEqualTo(ConnectionRecord.Ending.OPEN);
    assertThat(stalled.stalled()).isTrue();
    assertThat(stalled.chunksSent()).isEqualTo(2);

    probe.close(); // the client gives up
    assertThat(server.awaitEnded(0, SseProbe.WAIT).ending()).isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
  }

  @Test
  void clientThatClosesMidStreamIsRecordedAsClosedByClient() throws Exception {
    server = FakeGroqServer.builder()
        .always(ResponseScript.builder().generatedText(1_000_000, i -> " t" + i).tokensPerSecond(2000).build())
        .build().start();
    SseProbe probe = SseProbe.post(server, System::nanoTime).read();
    for (int i = 0; i < 5; i++) {
      probe.nextLine();
    }
    probe.close();
    ConnectionRecord c = server.awaitEnded(0, SseProbe.WAIT);
    assertThat(c.ending()).isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    assertThat(c.chunksSent()).isBetween(5, 999_999);
  }

  @Test
  void malformedChunkIsInvalidJsonAndTheStreamGoesOn() throws Exception {
    server = FakeGroqServer.builder().always(ResponseScript.builder().text(TEXT).malformedAt(3).build())
        .build().start();
    List<String> data = SseProbe.dataLines(SseProbe.post(server, System::nanoTime).read().drain());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SseProbe.JSON.readTree(data.get(2)))
        .isInstanceOf(java.io.IOException.class);
    SseProbe.parse(data.get(1));
    SseProbe.parse(data.get(3));
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
  }

  @Test
  void errorEventMidStreamThenEndWithoutDone() throws Exception {
    server = FakeGroqServer.builder()
        .always(ResponseScript.builder().text(TEXT)
            .errorEventAt(4, "invalid_request_error", "tool_use_failed", "Tool choice is required", 400).build())
        .build().start();
    SseProbe probe = SseProbe.post(server, System::nanoTime);
    assertThat(probe.response().statusCode()).isEqualTo(200);
    List<SseProbe.Item> items = probe.read().drain();
    assertThat(items.get(items.size() - 1).end()).as("clean end of body").isTrue();
    List<String> lines = items.stream().filter(SseProbe.Item::isLine).map(SseProbe.Item::line).toList();
    assertThat(lines).contains("event: error").doesNotContain("data: [DONE]");
    String errorData = lines.get(lines.indexOf("event: error") + 1).substring(6);
    JsonNode error = SseProbe.parse(errorData).path("error");
    assertThat(error.path("status_code").asInt()).isEqualTo(400);
    assertThat(error.path("code").asText()).isEqualTo("tool_use_failed");
    assertThat(SseProbe.dataLines(items)).hasSize(4); // 3 chunks + the error's data
    assertThat(server.awaitEnded(0, SseProbe.WAIT).ending()).isEqualTo(ConnectionRecord.Ending.COMPLETED);
  }

  @Test
  void garbageBytesAppearInTheBodyBeforeChunkN() throws Exception {
    server = FakeGroqServer.builder()
        .always(ResponseScript.builder().text(TEXT).garbageAt(2, "\u0000\u0001garbage\n".getBytes(StandardCharsets.UTF_8))
            .build())
        .build().start();
    List<SseProbe.Item> items = SseProbe.post(server, System::nanoTime).read().drain();
    List<String> lines = items.stream().filter(SseProbe.Item::isLine).map(SseProbe.Item::line).toList();
    assertThat(lines.get(1)).isEqualTo("\u0000\u0001garbage");
    assertThat(lines.get(0)).startsWith("data: {");
    assertThat(lines.get(2)).startsWith("data: {");
    assertThat(items.get(items.size() - 1).end()).isTrue();
  }

  @Test
  void keepAliveCommentStormComesBeforeTheFirstChunk() throws Exception {
    server = FakeGroqServer.builder()
        .always(ResponseScript.builder().text("hi").keepAliveComments(500, Duration.ZERO).build())
        .build().start();
    List<SseProbe.Item> items = SseProbe.post(server, System::nanoTime).read().drain();
    List<String> lines = items.stream().filter(SseProbe.Item::isLine).map(SseProbe.Item::line).toList();
    assertThat(lines.subList(0, 500)).containsOnly(": keep-alive");
    assertThat(lines.get(500)).startsWith("data: {");
    assertThat(SseProbe.join(SseProbe.dataLines(items), "content")).isEqualTo("hi");
  }

  @Test
  void slowLorisHeadersArriveLineByLine() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    server = FakeGroqServer.builder().scheduler(clock)
        .always(ResponseScript.builder().text("hi").slowHeaders(Duration.ofSeconds(1)).build())
        .build().start();
    SseProbe probe = SseProbe.post(server, clock::nanoTime);
    server.awaitRequests(1, SseProbe.WAIT);
    clock.advance(Duration.ofSeconds(5)); // status line and four header lines, not all
        assertThat(waitDone(probe, 300)).as("headers incomplete after 5 s").isFalse();
    clock.advance(Duration.ofMinutes(1));
    assertThat(probe.response().statusCode()).isEqualTo(200);
    assertThat(SseProbe.join(SseProbe.dataLines(probe.read().drain()), "content")).isEqualTo("hi");
  }

  private static boolean waitDone(SseProbe probe, long millis) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end) {
      if (probe.responseArrived()) {
        return true;
      }
      synchronized (probe) {
        probe.wait(10);
      }
    }
    return probe.responseArrived();
  }
}
