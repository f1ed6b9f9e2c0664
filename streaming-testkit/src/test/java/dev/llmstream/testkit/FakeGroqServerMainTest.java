package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The process entry point, run in-process: one base-url line, flags for pacing, faults and replay, the
 * exchange log and {@code GET /_testkit/connections}.
 */
class FakeGroqServerMainTest {
  private static String startAndReadUrl(ByteArrayOutputStream out, String... args) {
    FakeGroqServer server = FakeGroqServerMain.start(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    server.close();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void printsExactlyOneBaseUrlLine() {
    String printed = startAndReadUrl(new ByteArrayOutputStream(), "--port", "0", "--seed", "4");
    assertThat(printed).matches("base-url: http://127\\.0\\.0\\.1:\\d+/openai/v1\\R");
  }

  @Test
  void servesTheSimulatedAnswerWithFlagsAndFaultOnFirstRequestOnly() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FakeGroqServer server = FakeGroqServerMain.start(new String[] {
        "--ttft-ms", "0", "--tokens-per-second", "0", "--seed", "9",
        "--fault", "status=429", "--fault-requests", "1"}, new PrintStream(out, true, StandardCharsets.UTF_8))) {
      String url = out.toString(StandardCharsets.UTF_8).trim().substring("base-url: ".length());
      assertThat(url).isEqualTo(server.baseUrl());
      HttpResponse<String> first = SseProbe.CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/chat/completions"))
          .POST(HttpRequest.BodyPublishers.ofString(SseProbe.chatBody("Hi"))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(first.statusCode()).isEqualTo(429);
      assertThat(first.headers().firstValue("retry-after")).isPresent();
      List<String> data = SseProbe.dataLines(SseProbe.post(url + "/chat/completions", SseProbe.chatBody("Hi"),
          System::nanoTime).read().drain());
      assertThat(SseProbe.join(data, "content"))
          .isEqualTo(SimulatedModel.builder().seed(9).build().answer("Hi"));
    }
  }

  @Test
  void disconnectFaultAndReplayFlags() throws Exception {
    String file = ReplayTest.fixtures().resolve("groq/groq-llama33-70b-text-stop.sse").toString();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FakeGroqServer server = FakeGroqServerMain.start(new String[] {"--replay", file, "--fault", "disconnect-after=5"},
        new PrintStream(out, true, StandardCharsets.UTF_8))) {
      List<SseProbe.Item> items = SseProbe.post(server, System::nanoTime).read().drain();
      assertThat(SseProbe.dataLines(items)).hasSize(5);
      assertThat(items.get(items.size() - 1).error()).isNotNull();
    }
  }

  @Test
  void logsEachExchangeAndListsItAtTheConnectionsEndpoint() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FakeGroqServer server = FakeGroqServerMain.start(new String[] {
        "--ttft-ms", "0", "--tokens-per-second", "0", "--fault", "stall-after=3"},
        new PrintStream(out, true, StandardCharsets.UTF_8), log::add)) {
      // a client that reads the start of the answer, then stops: closes the connection
      String body = SseProbe.chatBody("Hi");
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        OutputStream o = socket.getOutputStream();
        o.write(("POST /openai/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + "gsk_secret\r\nContent-Type: application/json\r\nContent-Length: "
            + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        o.flush();
        server.awaitChunks(0, 3, SseProbe.WAIT);
        InputStream in = socket.getInputStream();
        assertThat(in.read(new byte[256])).as("the answer started").isPositive();
      }
      ConnectionRecord ended = server.awaitEnded(0, SseProbe.WAIT);
      assertThat(ended.ending()).isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);

      String base = server.baseUrl().replace("/openai/v1", "");
      HttpResponse<String> listing = SseProbe.CLIENT.send(
          HttpRequest.newBuilder(URI.create(base + "/_testkit/connections")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(listing.statusCode()).isEqualTo(200);
      assertThat(listing.headers().firstValue("content-type")).hasValue("application/json");
      JsonNode json = SseProbe.parse(listing.body());
      assertThat(json.path("exchanges")).as("the control request is not listed").hasSize(1);
      JsonNode exchange = json.path("exchanges").path(0);
      assertThat(exchange.path("index").asInt()).isZero();
      assertThat(exchange.path("method").asText()).isEqualTo("POST");
      assertThat(exchange.path("path").asText()).isEqualTo("/openai/v1/chat/completions");
      assertThat(exchange.path("messages").asInt()).isEqualTo(1);
      assertThat(exchange.path("status").asInt()).isEqualTo(200);
      assertThat(exchange.path("ending").asText()).isEqualTo("CLOSED_BY_CLIENT");
      assertThat(exchange.path("chunksSent").asInt()).isEqualTo(3);
      assertThat(exchange.path("stalled").asBoolean()).isTrue();
      assertThat(server.requests()).as("control requests are not recorded").hasSize(1);

      assertThat(log).hasSize(2);
      assertThat(log.get(0)).startsWith("exchange #0: POST /openai/v1/chat/completions")
          .contains("messages=1").endsWith("-> 200");
      assertThat(log.get(1)).startsWith("exchange #0 ended CLOSED_BY_CLIENT (the client closed the connection)")
          .contains("after 3 chunk(s)");
      assertThat(String.join("\n", log) + listing.body()).as("no prompt, no key")
          .doesNotContain("gsk_secret").doesNotContain("\"Hi\"");

      HttpResponse<String> post = SseProbe.CLIENT.send(
          HttpRequest.newBuilder(URI.create(base + "/_testkit/connections"))
              .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.body()).contains("use GET");
    }
  }

  @Test
  void badFlagsAreNamed() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> FakeGroqServerMain.start(new String[] {"--bogus"}, sink)).hasMessageContaining("--bogus");
    assertThatThrownBy(() -> FakeGroqServerMain.start(new String[] {"--port"}, sink)).hasMessageContaining("--port needs");
    assertThatThrownBy(() -> FakeGroqServerMain.start(new String[] {"--jitter", "3"}, sink)).hasMessageContaining("--jitter");
    assertThatThrownBy(() -> FakeGroqServerMain.start(new String[] {"--fault", "explode=1"}, sink))
        .hasMessageContaining("unknown fault explode");
    assertThatThrownBy(() -> FakeGroqServerMain.start(new String[] {"--replay", "/no/such.sse"}, sink))
        .hasMessageContaining("cannot read");
    assertThat(FakeGroqServerMain.usage()).contains("--fault").contains("--replay").contains("base-url");
  }
}
