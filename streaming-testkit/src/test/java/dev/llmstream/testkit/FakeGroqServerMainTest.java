package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The process entry point, run in-process: one base-url line, flags for pacing, faults and replay. */
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
