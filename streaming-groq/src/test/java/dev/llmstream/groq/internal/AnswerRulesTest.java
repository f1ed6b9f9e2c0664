package dev.llmstream.groq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.Usage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answer-completion rules on hand-built chunks: no JSON, no Jackson. */
class AnswerRulesTest {
  private static final Usage USAGE = new Usage(10, 2, 12, null, null, false);

  private final AnswerRules rules = new AnswerRules(200, null, 10, 8);
  private final List<StreamEvent> out = new ArrayList<>();

  private static Chunk chunk(String text) {
    Chunk c = new Chunk();
    if (!text.isEmpty()) {
      c.deltas.add(new StreamEvent.TextDelta(text));
      c.sawToken = true;
    }
    return c;
  }

  @Test
  void deltasPassThroughAndAFinishWithUsageCompletesAtOnce() {
    rules.accept(chunk("Hi"), out);
    assertThat(rules.sawToken()).isTrue();
    Chunk last = chunk(" there");
    last.finish = "stop";
    last.usage = USAGE;
    rules.accept(last, out);
    assertThat(rules.isDone()).isTrue();
    assertThat(out).containsExactly(
        new StreamEvent.TextDelta("Hi"),
        new StreamEvent.TextDelta(" there"),
        new StreamEvent.Finish(FinishReason.STOP, "stop", USAGE));
  }

  @Test
  void aFinishWithoutUsageIsHeldForTheTrailingUsageChunk() {
    Chunk fin = chunk("a");
    fin.finish = "length";
    rules.accept(fin, out);
    assertThat(rules.isFinishPending()).isTrue();
    assertThat(rules.isDone()).isFalse();
    rules.accept(chunk(""), out); // a chunk without usage does not release it
    assertThat(rules.isDone()).isFalse();
    Chunk trailing = chunk("");
    trailing.usage = USAGE;
    rules.accept(trailing, out);
    assertThat(out).containsExactly(
        new StreamEvent.TextDelta("a"),
        new StreamEvent.Finish(FinishReason.LENGTH, "length", USAGE));
  }

  @Test
  void usageIsReportedOnceWithTheLatestValue() {
    Chunk first = chunk("a");
    first.usage = new Usage(1, 1, 2, null, null, false);
    rules.accept(first, out);
    Chunk fin = chunk("");
    fin.usage = USAGE;
    fin.finish = "stop";
    rules.accept(fin, out);
    assertThat(out).containsExactly(new StreamEvent.TextDelta("a"), new StreamEvent.Finish(FinishReason.STOP, "stop", USAGE));
  }

  @Test
  void heldFinishCompletesOnEndOfStreamOrIdleTimer() {
    Chunk fin = chunk("");
    fin.finish = "stop";
    rules.accept(fin, out);
    rules.finishNow(out);
    assertThat(out).containsExactly(new StreamEvent.Finish(FinishReason.STOP, "stop"));
    rules.endOfStream(out); // already done: nothing more
    assertThat(out).hasSize(1);
  }

  @Test
  void doneMarkerWithoutFinishReasonIsStopWithoutRawReason() {
    rules.accept(chunk("x"), out);
    rules.doneMarker(out);
    assertThat(out).endsWith(new StreamEvent.Finish(FinishReason.STOP, null));
  }

  @Test
  void endWithoutFinishIsAConnectionError() {
    rules.accept(chunk("x"), out);
    assertThatThrownBy(() -> rules.endOfStream(out))
        .isInstanceOf(StreamException.class)
        .hasFieldOrPropertyWithValue("kind", ErrorKind.CONNECTION)
        .hasMessageContaining("no finish_reason and no [DONE]");
  }

  @Test
  void aChunkOverTheLimitIsNotDeliveredAndNamesTheSetting() {
    rules.accept(chunk("12345"), out);
    assertThatThrownBy(() -> rules.accept(chunk("123456"), out))
        .isInstanceOf(StreamException.class)
        .hasFieldOrPropertyWithValue("kind", ErrorKind.LIMIT_EXCEEDED)
        .hasMessageContaining("maxAnswerChars (10 characters)");
    assertThat(out).containsExactly(new StreamEvent.TextDelta("12345"));
    Chunk tools = new Chunk();
    tools.deltas.add(new StreamEvent.ToolCallDelta(0, "id", "name", "{\"a\":1}"));
    assertThatThrownBy(() -> rules.accept(tools, out))
        .hasMessageContaining("maxToolArgumentChars (8 characters)");
  }

  @Test
  void anUpstreamErrorCarriesTheIdAndStatusAndABoundedMessage() {
    Chunk c = chunk("dropped");
    c.id = "req_1";
    c.error = new Chunk.WireError("x".repeat(600), "server_error", "overloaded", 503);
    assertThatThrownBy(() -> rules.accept(c, out))
        .isInstanceOfSatisfying(StreamException.class, e -> {
          assertThat(e.kind()).isEqualTo(ErrorKind.UPSTREAM);
          assertThat(e.getMessage())
              .startsWith("The server reported an error in the stream (overloaded): xxx")
              .endsWith("x…")
              .contains("x".repeat(500));
          assertThat(e.requestId()).isEqualTo("req_1");
        });
    assertThat(out).isEmpty();
  }

  @Test
  void aMalformedChunkKeepsWhatItCarriedBeforeTheFault() {
    Chunk partial = new Chunk();
    partial.id = "req_2";
    partial.model = "m1";
    StreamException e = rules.malformed(partial, "a chunk is not valid JSON", null);
    assertThat(e.kind()).isEqualTo(ErrorKind.PROTOCOL);
    assertThat(e.getMessage()).isEqualTo("Malformed chat-completion stream: a chunk is not valid JSON");
    assertThat(e.requestId()).isEqualTo("req_2");
    assertThat(rules.model()).isEqualTo("m1");
    Chunk later = new Chunk();
    later.id = "req_3";
    later.model = "m2";
    rules.accept(later, out);
    assertThat(rules.requestId()).as("the first id wins").isEqualTo("req_2");
    assertThat(rules.model()).as("the first model wins").isEqualTo("m1");
  }
}
