package dev.llmstream.groq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast path takes the common chunk shapes (so the differential test compares something) and hands
 * everything else to Jackson; on tricky chunks both decoders agree.
 */
class FastChunkParserTest {
  private static final String GROQ =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1764657993,"
          + "\"model\":\"llama-3.3-70b-versatile\",\"system_fingerprint\":\"fp_1\","
          + "\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"logprobs\":null,\"finish_reason\":%s}],"
          + "\"usage\":null}";

  private final FastChunkParser parser = new FastChunkParser();
  private final Chunk chunk = new Chunk();

  private boolean parse(String json) {
    chunk.clear();
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return parser.parse(b, 0, b.length, chunk, true);
  }

  @Test
  void takesTheCommonContentChunk() {
    assertThat(parse(String.format(GROQ, "\" world\"", "null"))).isTrue();
    assertThat(chunk.deltas).containsExactly(new StreamEvent.TextDelta(" world"));
    assertThat(chunk.model).isEqualTo("llama-3.3-70b-versatile");
    assertThat(chunk.finish).isNull();
    assertThat(chunk.sawToken).isTrue();
  }

  private boolean parse(String json, boolean wantModel) {
    chunk.clear();
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return parser.parse(b, 0, b.length, chunk, wantModel);
  }

  @Test
  void aChunkStartingWithThePreviousChunksPrefixReadsTheSame() {
    // the second chunk on skips the remembered prefix; what it reads must not change
    for (String text : List.of("\"one\"", "\" two\"", "\"\"", "\"three\"")) {
      assertThat(parse(String.format(GROQ, text, "null"))).as(text).isTrue();
      assertThat(chunk.model).as("the model comes with the remembered prefix").isEqualTo("llama-3.3-70b-versatile");
      assertThat(chunk.deltas).isEqualTo(text.equals("\"\"") ? List.of()
          : List.of(new StreamEvent.TextDelta(text.substring(1, text.length() - 1))));
    }
    assertThat(parse(String.format(GROQ, "\"x\"", "\"stop\""), false)).isTrue();
    assertThat(chunk.model).as("not wanted").isNull();
    assertThat(chunk.finish).isEqualTo("stop");
    assertThat(parse(String.format(GROQ, "\"y\"", "null"), true)).isTrue();
    assertThat(chunk.model).as("wanted again").isEqualTo("llama-3.3-70b-versatile");
  }

  @Test
  void aRememberedPrefixDoesNotHideWhatFollowsIt() {
    assertThat(parse(String.format(GROQ, "\"a\"", "null"))).isTrue();
    String prefix = GROQ.substring(0, GROQ.indexOf("\"choices\":") + "\"choices\":".length());
    // same prefix, then a tool call, an object for content, garbage, an unterminated chunk: not fast
    assertThat(parse(prefix + "[{\"index\":0,\"delta\":{\"tool_calls\":[{}]}}]}")).isFalse();
    assertThat(parse(prefix + "[{\"index\":0,\"delta\":{\"content\":{}}}]}")).isFalse();
    assertThat(parse(prefix + "[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}x")).isFalse();
    assertThat(parse(prefix + "[{\"index\":0,\"delta\":{\"content\":\"a\"")).isFalse();
    assertThat(parse(prefix + "[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"x_groq\":{\"id\":\"r\"}}")).isFalse();
    // a prefix that differs in one byte (another model) is read, not skipped
    assertThat(parse(String.format(GROQ.replace("llama-3.3-70b-versatile", "llama-3.3-70b-versatilf"), "\"b\"", "null"))).isTrue();
    assertThat(chunk.model).isEqualTo("llama-3.3-70b-versatilf");
    assertThat(chunk.deltas).containsExactly(new StreamEvent.TextDelta("b"));
    // and the prefix alone, cut just after it, is not a chunk
    assertThat(parse(prefix)).isFalse();
  }

  @Test
  void decodesEscapesAndUtf8Once() {
    assertThat(parse(String.format(GROQ, "\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00 é😀\"", "\"stop\""))).isTrue();
    assertThat(chunk.deltas).containsExactly(new StreamEvent.TextDelta("a\"b\\c\né😀 é😀"));
    assertThat(chunk.finish).isEqualTo("stop");
  }

  @Test
  void takesTheRoleChunkAndTheReasoningChunk() {
    assertThat(parse("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}")).isTrue();
    assertThat(chunk.deltas).isEmpty();
    assertThat(chunk.sawToken).isFalse();
    assertThat(parse("{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"hm\"}}]}")).isTrue();
    assertThat(chunk.deltas).containsExactly(new StreamEvent.ReasoningDelta("hm"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"choices\":[],\"x_groq\":{\"id\":\"req_1\"}}",
    "{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}",
    "{\"error\":{\"message\":\"x\"}}",
    "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}",
    "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"x\"}}]}",
    "{\"choices\":[{\"index\":-0,\"delta\":{\"content\":\"x\"}}]}",
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":{\"a\":1}}}]}",
    "{\"choices\":[1]}",
    "{\"choices\":[]} x",
    "{\"choices\":[]}{}",
    "{\"cho\\u0069ces\":[]}",
    "{\"choices\":[{\"delta\":{\"content\":\"\\x\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"\u0001\"}}]}",
    "{\"a\":01,\"choices\":[]}",
    "{\"a\":1.,\"choices\":[]}",
    "{\"a\":nul,\"choices\":[]}",
    "{\"a\":[1,],\"choices\":[]}",
    "{\"a\":1,}",
    "{\"choices\":[]",
  })
  void handsEverythingElseToJackson(String json) {
    assertThat(parse(json)).as(json).isFalse();
  }

  @Test
  void neverReadsPastTheEventInALargerBuffer() {
    byte[] b = "{\"choices\":[]}".getBytes(StandardCharsets.US_ASCII);
    assertThat(parser.parse(b, 0, b.length - 1, chunk, true)).isFalse();
    assertThat(parser.parse(b, 0, b.length, chunk, true)).isTrue();
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] head = "{\"choices\":[{\"delta\":{\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x28}}) {
      byte[] b = new byte[head.length + bad.length + 5];
      System.arraycopy(head, 0, b, 0, head.length);
      System.arraycopy(bad, 0, b, head.length, bad.length);
      System.arraycopy("\"}}]}".getBytes(StandardCharsets.US_ASCII), 0, b, head.length + bad.length, 5);
      chunk.clear();
      assertThat(parser.parse(b, 0, b.length, chunk, true)).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\",\"content\":\"b\"}},{\"delta\":{\"content\":\"c\"}}]}",
    "{\"model\":\"m\",\"model\":\"n\",\"choices\":[{\"finish_reason\":\"\"},{\"finish_reason\":\"stop\"}]}",
    "{\"choices\":{\"a\":[1,{\"b\":[true,false,null,-1.5e+3]}]},\"x\":\"\\ud800\"}",
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":7,\"reasoning\":[1]},\"finish_reason\":5}]}",
    "{\"choices\":[{\"index\":0,\"delta\":null,\"finish_reason\":\"length\"}],\"usage\":null,\"x_groq\":null}",
    "{ \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"x\" } } ] }  ",
  })
  void bothDecodersAgree(String json) {
    ObjectMapper mapper = new ObjectMapper();
    List<String> fast = decode(new ChunkDecoder(mapper, 200, null, 100, 100, true), json);
    List<String> jackson = decode(new ChunkDecoder(mapper, 200, null, 100, 100, false), json);
    assertThat(parse(json)).as("taken by the fast path").isTrue();
    assertThat(fast).isEqualTo(jackson);
  }

  private static List<String> decode(ChunkDecoder decoder, String json) {
    List<StreamEvent> out = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    try {
      decoder.onEvent(null, b, b.length, out);
      decoder.onEvent(null, "[DONE]".getBytes(StandardCharsets.US_ASCII), 6, out);
    } catch (StreamException e) {
      seen.add(e.kind() + ": " + e.getMessage());
    }
    out.forEach(e -> seen.add(e.toString()));
    seen.add("model " + decoder.model());
    return seen;
  }

  @Test
  void malformedChunkMessagesNameNoStreamWideColumn() {
    ObjectMapper mapper = new ObjectMapper();
    for (boolean fastPath : new boolean[] {true, false}) {
      ChunkDecoder decoder = new ChunkDecoder(mapper, 200, null, 1000, 1000, fastPath);
      List<StreamEvent> out = new ArrayList<>();
      byte[] ok = String.format(GROQ, "\"x\"", "null").getBytes(StandardCharsets.UTF_8);
      decoder.onEvent(null, ok, ok.length, out);
      byte[] cut = "{\"choices\":[{\"delta\":{\"content\":\"y\"}".getBytes(StandardCharsets.UTF_8);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.onEvent(null, cut, cut.length, out))
          .isInstanceOf(StreamException.class)
          .hasMessageContaining("Unexpected end-of-input")
          .hasMessageNotContaining("column")
          .hasMessageNotContaining("[Source");
    }
  }
}
