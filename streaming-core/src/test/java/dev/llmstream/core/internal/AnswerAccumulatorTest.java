package dev.llmstream.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.ToolCall;
import dev.llmstream.core.Usage;
import org.junit.jupiter.api.Test;

class AnswerAccumulatorTest {

  @Test
  void joinsTextVerbatimAndKeepsReasoningApart() {
    AnswerAccumulator acc = new AnswerAccumulator();
    acc.accept(new StreamEvent.Waiting(null));
    acc.accept(new StreamEvent.ReasoningDelta("Let me "));
    acc.accept(new StreamEvent.ReasoningDelta("think."));
    acc.accept(new StreamEvent.TextDelta("<think>raw</think>\n"));
    acc.accept(new StreamEvent.TextDelta("  Hello 👋"));
    acc.accept(StreamEvent.Finish.of(FinishReason.STOP));
    ChatResponse r = acc.snapshot();
    assertThat(r.text()).isEqualTo("<think>raw</think>\n  Hello 👋");
    assertThat(r.reasoning()).isEqualTo("Let me think.");
    assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(acc.deltaCount()).isEqualTo(4);
  }

  @Test
  void reasoningIsNullWhenNoneArrived() {
    AnswerAccumulator acc = new AnswerAccumulator();
    acc.accept(new StreamEvent.TextDelta("x"));
    assertThat(acc.snapshot().reasoning()).isNull();
    assertThat(acc.snapshot().finishReason()).isNull();
  }

  @Test
  void joinsToolCallFragmentsByIndexWhetherWholeOrFragmented() {
    AnswerAccumulator acc = new AnswerAccumulator();
    acc.accept(new StreamEvent.ToolCallDelta(1, "call_b", "get_time", "{}"));
    acc.accept(new StreamEvent.ToolCallDelta(0, "call_a", "get_weather", ""));
    acc.accept(new StreamEvent.ToolCallDelta(0, null, null, "{\"city\":"));
    acc.accept(new StreamEvent.ToolCallDelta(0, null, null, "\"Paris\"}"));
    acc.accept(StreamEvent.Finish.of(FinishReason.TOOL_CALLS));
    assertThat(acc.snapshot().toolCalls())
        .containsExactly(
            new ToolCall(0, "call_a", "get_weather", "{\"city\":\"Paris\"}"),
            new ToolCall(1, "call_b", "get_time", "{}"));
  }

  @Test
  void takesTheUsageFromTheFinishAndAFinishWithoutUsageKeepsIt() {
    AnswerAccumulator acc = new AnswerAccumulator();
    Usage u = Usage.of(45, 662, 707);
    acc.accept(new StreamEvent.Finish(FinishReason.STOP, "stop", u));
    assertThat(acc.snapshot().usage()).isEqualTo(u);
    acc.accept(StreamEvent.Finish.of(FinishReason.CANCELLED));
    assertThat(acc.snapshot().usage()).isEqualTo(u);
  }

  @Test
  void replacedRedrawsFromTheGivenContent() {
    AnswerAccumulator acc = new AnswerAccumulator();
    acc.accept(new StreamEvent.ReasoningDelta("half a thought"));
    acc.accept(new StreamEvent.ToolCallDelta(0, "c", "f", "{\"a\""));
    acc.accept(new StreamEvent.Replaced("", ""));
    acc.accept(new StreamEvent.ReasoningDelta("fresh"));
    ChatResponse r = acc.snapshot();
    assertThat(r.reasoning()).isEqualTo("fresh");
    assertThat(r.toolCalls()).isEmpty();
  }

  @Test
  void textViewIsLiveAndReadOnly() {
    AnswerAccumulator acc = new AnswerAccumulator();
    CharSequence view = acc.text();
    acc.accept(new StreamEvent.TextDelta("ab"));
    assertThat(view.length()).isEqualTo(2);
    acc.accept(new StreamEvent.TextDelta("c"));
    assertThat(view.toString()).isEqualTo("abc");
    assertThat(view).isNotInstanceOf(StringBuilder.class);
  }

  @Test
  void usagePlusSumsAttemptsAndMarksRecovered() {
    Usage a = new Usage(10, 5, 15, 2L, null, false);
    Usage b = Usage.of(20, 7, 27);
    Usage sum = a.plus(b);
    assertThat(sum.promptTokens()).isEqualTo(30);
    assertThat(sum.completionTokens()).isEqualTo(12);
    assertThat(sum.totalTokens()).isEqualTo(42);
    assertThat(sum.reasoningTokens()).isEqualTo(2L);
    assertThat(sum.recovered()).isTrue();
  }

  @Test
  void finishReasonMapsWireValues() {
    assertThat(FinishReason.fromWire("stop")).isEqualTo(FinishReason.STOP);
    assertThat(FinishReason.fromWire("length")).isEqualTo(FinishReason.LENGTH);
    assertThat(FinishReason.fromWire("tool_calls")).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(FinishReason.fromWire("content_filter")).isEqualTo(FinishReason.CONTENT_FILTER);
    assertThat(FinishReason.fromWire("something_new")).isEqualTo(FinishReason.OTHER);
    assertThat(FinishReason.CANCELLED.wireName()).isEqualTo("cancelled");
  }

  @Test
  void responseToStringHidesTheText() {
    ChatResponse r = new ChatResponse("secret plan", null, java.util.List.of(), null, null);
    assertThat(r.toString()).doesNotContain("secret").contains("textLength=11");
  }
}
