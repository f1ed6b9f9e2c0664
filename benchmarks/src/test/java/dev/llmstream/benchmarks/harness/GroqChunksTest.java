package dev.llmstream.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.groq.internal.ChunkDecoder;
import dev.llmstream.groq.internal.SseScanner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pre-encoded answers decode to exactly the intended events. */
class GroqChunksTest {
  private final ObjectMapper mapper =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Test
  void sseAnswerDecodesToItsTokensThenUsageAndFinish() {
    byte[] answer = GroqChunks.sseAnswer(120);
    List<StreamEvent> events = decode(answer);

    assertThat(events).hasSize(121);
    for (int i = 0; i < 120; i++) {
      assertThat(events.get(i)).isEqualTo(new StreamEvent.TextDelta(GroqChunks.token(i)));
    }
    StreamEvent.Finish finish = (StreamEvent.Finish) events.get(120);
    assertThat(finish.reason()).isEqualTo(FinishReason.STOP);
    assertThat(finish.rawReason()).isEqualTo("stop");
    assertThat(finish.usage().completionTokens()).isEqualTo(662);
  }

  @Test
  void stampsRoundTripThroughTheTemplate() {
    byte[] template = GroqChunks.timestampTemplate();
    int offset = GroqChunks.stampOffset(template);
    GroqChunks.stamp(template, offset, 1234567890123456789L);

    String http = new String(template, StandardCharsets.UTF_8);
    String sse = http.substring(http.indexOf("\r\n") + 2, http.lastIndexOf("\r\n"));
    List<StreamEvent> events = decode(sse.getBytes(StandardCharsets.UTF_8));

    assertThat(events).containsExactly(new StreamEvent.TextDelta("1234567890123456789"));
    assertThat(GroqChunks.parseStamp("1234567890123456789")).isEqualTo(1234567890123456789L);
    assertThat(GroqChunks.parseStamp("Hello")).isEqualTo(-1);
  }

  @Test
  void httpChunkFramesTheEventWithItsHexLength() {
    byte[] event = GroqChunks.sseDone();
    String framed = new String(GroqChunks.http(event), StandardCharsets.US_ASCII);

    assertThat(framed).isEqualTo(Integer.toHexString(event.length) + "\r\ndata: [DONE]\n\n\r\n");
  }

  private List<StreamEvent> decode(byte[] sse) {
    SseScanner scanner = new SseScanner(1 << 20);
    ChunkDecoder decoder = new ChunkDecoder(mapper, 200, null);
    List<StreamEvent> out = new ArrayList<>();
    scanner.scan(sse, 0, sse.length, (type, data, length) -> decoder.onEvent(type, data, length, out));
    return out;
  }
}
