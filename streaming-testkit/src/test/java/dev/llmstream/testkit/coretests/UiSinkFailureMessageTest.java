package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConnection;
import dev.llmstream.testkit.RecordingSink;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The failure a throwing sink gets names the sink method that threw, for each method. */
class UiSinkFailureMessageTest {

  private static List<StreamEvent> answer() {
    return List.of(
        new StreamEvent.Waiting("req_1"),
        new StreamEvent.ReasoningDelta("think"),
        new StreamEvent.TextDelta("a"),
        new StreamEvent.ToolCallDelta(0, "call_1", "lookup", "{}"),
        StreamEvent.Finish.of(FinishReason.STOP));
  }

  @ParameterizedTest
  @ValueSource(strings = {"onStart", "onTyping", "onReasoning", "onText", "onProgress", "onToolCall"})
  void theMessageNamesTheMethodThatThrew(String method) {
    IllegalStateException bug = new IllegalStateException("bug in " + method);
    RecordingSink sink =
        new RecordingSink() {
          private void maybeThrow(String called) {
            if (called.equals(method)) {
              throw bug;
            }
          }

          @Override
          public void onStart() {
            super.onStart();
            maybeThrow("onStart");
          }

          @Override
          public void onTyping(boolean typing) {
            super.onTyping(typing);
            maybeThrow("onTyping");
          }

          @Override
          public void onReasoning(CharSequence batch, CharSequence fullReasoning) {
            super.onReasoning(batch, fullReasoning);
            maybeThrow("onReasoning");
          }

          @Override
          public void onText(CharSequence batch, CharSequence fullText) {
            super.onText(batch, fullText);
            maybeThrow("onText");
          }

          @Override
          public void onProgress(StreamMetrics p) {
            super.onProgress(p);
            maybeThrow("onProgress");
          }

          @Override
          public void onToolCall(StreamEvent.ToolCallDelta fragment) {
            super.onToolCall(fragment);
            maybeThrow("onToolCall");
          }
        };
    UiConnection.connect(TokenStream.of(answer()), sink, Runnable::run);
    assertThat(sink.terminalCalls()).isEqualTo(1);
    assertThat(sink.failure()).isNotNull().hasCause(bug);
    assertThat(sink.failure().kind()).isEqualTo(ErrorKind.CALLER);
    assertThat(sink.failure().getMessage())
        .startsWith("The UI sink threw from " + method + ": IllegalStateException");
    assertThat(sink.violations()).isEmpty();
  }
}
