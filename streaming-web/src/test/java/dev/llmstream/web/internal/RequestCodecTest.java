package dev.llmstream.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stored form of a run's request, for another instance to continue it. */
class RequestCodecTest {

  @Test
  void aRequestSurvivesTheRoundTrip() {
    ChatRequest r =
        ChatRequest.of(List.of(
                ChatMessage.system("Be brief."),
                ChatMessage.user("Hi \"there\"\nsecond line ✓"),
                ChatMessage.assistant("Hello."),
                ChatMessage.user("More?")))
            .withModel("m-1")
            .withTemperature(0.25)
            .withTopP(0.9)
            .withMaxTokens(300)
            .withSeed(42)
            .withStop(List.of("END", "STOP"))
            .withReasoningEffort("low")
            .withUser("u-7");
    ChatRequest back = RequestCodec.decode(RequestCodec.encode(r));
    assertThat(back.model()).isEqualTo("m-1");
    assertThat(back.messages()).isEqualTo(r.messages());
    assertThat(back.temperature()).isEqualTo(0.25);
    assertThat(back.topP()).isEqualTo(0.9);
    assertThat(back.maxTokens()).isEqualTo(300);
    assertThat(back.seed()).isEqualTo(42L);
    assertThat(back.stop()).containsExactly("END", "STOP");
    assertThat(back.reasoningEffort()).isEqualTo("low");
    assertThat(back.user()).isEqualTo("u-7");
    assertThat(back.responseFormat()).isNull();
  }

  @Test
  void aRequestWithProviderExtrasIsNotStored() {
    ChatRequest r = ChatRequest.ofUser("x").withExtra("logprobs", true);
    assertThat(RequestCodec.encode(r)).isNull();
  }
}
