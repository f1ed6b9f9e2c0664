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
        ChatRequest.builder()
            .model("m-1")
            .addMessage(ChatMessage.system("Be brief."))
            .addMessage(ChatMessage.user("Hi \"there\"\nsecond line ✓"))
            .addMessage(ChatMessage.assistant("Hello."))
            .addMessage(ChatMessage.user("More?"))
            .temperature(0.25)
            .topP(0.9)
            .maxTokens(300)
            .seed(42)
            .stop(List.of("END", "STOP"))
            .reasoningEffort("low")
            .user("u-7")
            .build();
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
    ChatRequest r = ChatRequest.builder().addMessage(ChatMessage.user("x")).extra("logprobs", true).build();
    assertThat(RequestCodec.encode(r)).isNull();
  }
}
