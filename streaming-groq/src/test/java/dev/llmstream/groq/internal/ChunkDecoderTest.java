package dev.llmstream.groq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoder reads every event of a stream with one parser: what one event leaves behind (trailing
 * whitespace, a failure half-way through an object) must not change how the next one is read.
 */
class ChunkDecoderTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ChunkDecoder decoder = new ChunkDecoder(MAPPER, 200, "req_test");
  private final List<StreamEvent> out = new ArrayList<>();

  private void feed(String data) {
    // the scanner's buffer is reused between events: give each event a dirty, larger array
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    byte[] buffer = new byte[bytes.length + 7];
    java.util.Arrays.fill(buffer, (byte) '{');
    System.arraycopy(bytes, 0, buffer, 0, bytes.length);
    decoder.onEvent(null, buffer, bytes.length, out);
  }

  private static String content(String text) {
    return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + text + "\"},\"finish_reason\":null}]}";
  }

  @Test
  void manyEventsThroughOneParserWithWhitespaceAroundThem() {
    for (int i = 0; i < 1_000; i++) {
      String ws = i % 3 == 0 ? "" : i % 3 == 1 ? " \t" : "\r\n ";
      feed(ws + content("t" + i) + ws);
    }
    assertThat(out).hasSize(1_000);
    assertThat(out.get(999)).isEqualTo(new StreamEvent.TextDelta("t999"));
  }

  @Test
  void aLargeEventIsReadWhole() {
    String big = "x".repeat(100_000);
    feed(content(big));
    feed(content("after"));
    assertThat(out).containsExactly(new StreamEvent.TextDelta(big), new StreamEvent.TextDelta("after"));
  }

  @Test
  void twoObjectsInOneEventAreAProtocolError() {
    assertThatThrownBy(() -> feed(content("a") + content("b")))
        .isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.PROTOCOL)
        .hasMessageContaining("not a single JSON object");
  }

  @Test
  void aTruncatedObjectIsAProtocolErrorAndTheNextEventIsStillReadCleanly() {
    assertThatThrownBy(() -> feed("{\"choices\":[{\"delta\":{\"content\":\"cut"))
        .isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.PROTOCOL)
        .hasMessageContaining("not valid JSON");
    feed(content("next"));
    assertThat(out).containsExactly(new StreamEvent.TextDelta("next"));
  }

  @Test
  void garbageAfterAnObjectIsAProtocolErrorAndTheNextEventIsStillReadCleanly() {
    assertThatThrownBy(() -> feed(content("a") + " garbage"))
        .isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.PROTOCOL);
    out.clear();
    feed(content("b"));
    assertThat(out).containsExactly(new StreamEvent.TextDelta("b"));
  }

  @Test
  void anErrorObjectInsideAChunkIsReadFromTheEventBytes() {
    feed(content("partial"));
    assertThatThrownBy(() -> feed("{\"x_groq\":{\"id\":\"req_9\",\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}}"))
        .isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.UPSTREAM)
        .hasMessageContaining("overloaded");
    assertThatThrownBy(() -> feed("{\"error\":{\"message\":\"rate limited\",\"code\":\"rate_limit_exceeded\"}}"))
        .isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.UPSTREAM)
        .hasMessageContaining("rate_limit_exceeded");
    feed(content("still readable"));
    assertThat(out).containsExactly(new StreamEvent.TextDelta("partial"), new StreamEvent.TextDelta("still readable"));
  }

  @Test
  void aClosedDecoderDecodesNothing() {
    feed(content("a"));
    decoder.close();
    decoder.close();
    feed(content("b"));
    assertThat(out).containsExactly(new StreamEvent.TextDelta("a"));
  }

  @Test
  void theJacksonParserIsHeldOnlyWhileChunksNeedItAndFreshOnesReadTheSame() {
    // x_groq with a value is outside the fast path: Jackson reads these; plain content chunks take the fast path
    String viaJackson = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"}}],"
        + "\"x_groq\":{\"id\":\"req_x\"}}";
    assertThat(decoder.holdsJacksonParser()).isFalse(); // none until a chunk needs it
    feed(viaJackson.formatted("a"));
    assertThat(decoder.holdsJacksonParser()).isTrue();
    feed(content("b"));
    assertThat(decoder.holdsJacksonParser()).isFalse(); // the fast path took over: its buffers are not kept
    feed(viaJackson.formatted("c") + "  ");
    feed(viaJackson.formatted("d"));
    assertThat(decoder.holdsJacksonParser()).isTrue();
    feed(content("e"));
    assertThat(out).containsExactly(new StreamEvent.TextDelta("a"), new StreamEvent.TextDelta("b"),
        new StreamEvent.TextDelta("c"), new StreamEvent.TextDelta("d"), new StreamEvent.TextDelta("e"));
    decoder.close();
    assertThat(decoder.holdsJacksonParser()).isFalse();
  }

  @Test
  void theJacksonParserOfAChunkBeforeTheFirstTokenIsReleasedAfterIt() {
    String roleViaJackson = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
        + "\"content\":\"\"}}],\"x_groq\":{\"id\":\"req_x\"}}";
    feed(roleViaJackson);
    assertThat(decoder.holdsJacksonParser()).isTrue();
    feed(content("a"));
    assertThat(decoder.holdsJacksonParser()).as("not released on the first token's path").isTrue();
    feed(content("b"));
    assertThat(decoder.holdsJacksonParser()).isFalse();
    assertThat(out).containsExactly(new StreamEvent.TextDelta("a"), new StreamEvent.TextDelta("b"));
  }
}
