package dev.llmstream.groq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamScheduler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The first token leaves the decoder before the chunks that arrived behind it in the same read. */
class BodyDecodingTest {
  private static final String CHUNK =
      "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
          + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}\n\n";
  private static final String ROLE =
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],"
          + "\"x_groq\":{\"id\":\"req_1\"}}\n\n";
  private static final String FINISH =
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
          + "\"x_groq\":{\"id\":\"req_1\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}}\n\n"
          + "data: [DONE]\n\n";

  private static BodyDecoding decoding() {
    GroqConfig config = new GroqConfig(URI.create("http://127.0.0.1:1/v1/chat/completions"), null, "m",
        Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 0, false, Duration.ofSeconds(1),
        HttpClient.newHttpClient(), Map.of(), StreamScheduler.system(), 1 << 20, null, JsonSupport.newMapper(),
        true, new GroqConfig.Limits(1 << 20, 1 << 20, 1 << 20), new StreamPermits(1), Duration.ofSeconds(1), 6,
        new Random(1));
    BodyDecoding d = new BodyDecoding(config, "m");
    d.reset();
    d.begin(200, HttpHeaders.of(Map.of("content-type", List.of("text/event-stream")), (a, b) -> true), "req_1");
    return d;
  }

  private static List<ByteBuffer> read(String s) {
    return List.of(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer());
  }

  @Test
  void theFirstTokensEventsAreHandedOverBeforeTheRestOfItsBufferIsDecoded() {
    BodyDecoding d = decoding();
    List<List<StreamEvent>> handedOver = new ArrayList<>();
    d.onFirstToken(() -> {
      handedOver.add(List.copyOf(d.out));
      d.out.clear();
    });
    assertThat(d.feed(read(ROLE + String.format(CHUNK, "one") + String.format(CHUNK, "two") + FINISH))).isNull();
    assertThat(handedOver).as("once, with the first token only")
        .containsExactly(List.of(new StreamEvent.TextDelta("one")));
    assertThat(d.out).as("what came behind it, decoded after the hand-over").hasSize(2)
        .startsWith(new StreamEvent.TextDelta("two")).last().isInstanceOf(StreamEvent.Finish.class);
    assertThat(d.requireDecoder().isDone()).isTrue();
  }

  @Test
  void theHandOverRunsOnceAndNotWithoutAToken() {
    BodyDecoding d = decoding();
    List<Integer> calls = new ArrayList<>();
    d.onFirstToken(() -> calls.add(d.out.size()));
    assertThat(d.feed(read(ROLE))).isNull();
    assertThat(calls).as("a role chunk is no token").isEmpty();
    assertThat(d.feed(read(String.format(CHUNK, "a") + String.format(CHUNK, "b")))).isNull();
    assertThat(d.feed(read(String.format(CHUNK, "c")))).isNull();
    assertThat(calls).containsExactly(1);
  }
}
