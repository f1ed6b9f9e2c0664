package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Recorded transcripts are served byte for byte, with their event boundaries, optionally paced. */
class ReplayTest {
  private FakeGroqServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  static Path fixtures() {
    String prop = System.getProperty("llmstream.fixtures");
    if (prop != null && Files.isDirectory(Path.of(prop))) {
      return Path.of(prop);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("../shared/fixtures").normalize();
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("fixtures not found: set -Dllmstream.fixtures or keep ../shared/fixtures");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "groq-llama33-70b-text-stop.sse",
    "groq-gpt-oss-120b-text-then-error-event-2026-02.sse",
    "groq-tool-call-whole.sse",
    "groq-qwen3-32b-reasoning-parsed.sse",
  })
  void replaysTheTranscriptByteForByte(String name) throws Exception {
    Path file = fixtures().resolve("groq").resolve(name);
    server = FakeGroqServer.builder().always(ResponseScript.replay(file)).build().start();
    HttpResponse<byte[]> r = SseProbe.CLIENT.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
            .POST(HttpRequest.BodyPublishers.ofString(SseProbe.chatBody("x"))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    String expected = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(expected);
    long events = expected.split("\n\n", -1).length - 1;
    assertThat(server.awaitEnded(0, SseProbe.WAIT).chunksSent()).isEqualTo((int) events);
  }

  @Test
  void keepsEventBoundariesOnePerChunkAndPacesThem() throws Exception {
    Path file = fixtures().resolve("groq").resolve("groq-tool-call-whole.sse");
    VirtualScheduler clock = new VirtualScheduler();
    server = FakeGroqServer.builder().scheduler(clock)
        .always(ResponseScript.replay(file).toBuilder().timeToFirstToken(Duration.ofMillis(100))
            .tokensPerSecond(10).build())
        .build().start();
    SseProbe probe = SseProbe.post(server, clock::nanoTime);
    server.awaitRequests(1, SseProbe.WAIT);
    clock.runDue();
    probe.read();
    clock.advance(Duration.ofMillis(100));
    assertThat(probe.nextLine().line()).contains("\"role\":\"assistant\"");
    assertThat(probe.nextLine().line()).as("the first token goes with the role chunk").contains("tool_calls");
    assertThat(probe.pollNonBlank(200)).as("the third event waits 100 ms").isNull();
    clock.advance(Duration.ofMillis(100));
    assertThat(probe.nextLine().line()).contains("\"finish_reason\":\"tool_calls\"");
    clock.advance(Duration.ofMillis(100));
    assertThat(probe.nextLine().line()).isEqualTo("data: [DONE]");
    assertThat(probe.drain()).last().satisfies(i -> assertThat(i.end()).isTrue());
  }

  @Test
  void faultsApplyToReplayToo() throws Exception {
    Path file = fixtures().resolve("groq").resolve("groq-llama33-70b-text-stop.sse");
    server = FakeGroqServer.builder()
        .always(ResponseScript.replay(file).toBuilder().disconnectAfter(10).build()).build().start();
    List<SseProbe.Item> items = SseProbe.post(server, System::nanoTime).read().drain();
    assertThat(SseProbe.dataLines(items)).as("items %s", items).hasSize(10);
    assertThat(items.get(items.size() - 1).error()).isNotNull();
  }

  @Test
  void transcriptSplitsOnAnyBlankLineStyle() {
    ResponseScript s = ResponseScript.builder().transcript("data: a\r\n\r\ndata: b\n\n: c\r\rdata: d").build();
    assertThat(s.toString()).contains("transcript=4 events");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResponseScript.builder().transcript("\n\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no SSE event");
    assertThat(InputStream.class).isNotNull();
  }
}
