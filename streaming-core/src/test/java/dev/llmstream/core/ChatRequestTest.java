package dev.llmstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatRequestTest {

  @Test
  void buildsAnImmutableRequestAndCopiesItWithToBuilder() {
    ChatRequest r =
        ChatRequest.builder()
            .model("llama-3.3-70b-versatile")
            .addMessage(ChatMessage.system("Be brief."))
            .addMessage(ChatMessage.user("Hi"))
            .temperature(0.7)
            .topP(0.9)
            .maxTokens(256)
            .stop(List.of("\n\n"))
            .seed(42)
            .addTool(new ToolDefinition("get_weather", "Weather", "{\"type\":\"object\"}"))
            .toolChoice("auto")
            .responseFormat("json_object")
            .reasoningEffort("low")
            .reasoningFormat("parsed")
            .user("u-1")
            .extra("service_tier", "flex")
            .build();
    ChatRequest copy = r.toBuilder().addMessage(ChatMessage.assistant("Hello")).build();
    assertThat(r.messages()).hasSize(2);
    assertThat(copy.messages()).hasSize(3);
    assertThat(copy.model()).isEqualTo("llama-3.3-70b-versatile");
    assertThat(copy.seed()).isEqualTo(42L);
    assertThat(copy.extras()).containsEntry("service_tier", "flex");
    assertThatThrownBy(() -> r.messages().add(ChatMessage.user("x")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(r.toString()).doesNotContain("Be brief").contains("messages=2");
  }

  @Test
  void emptyMessagesFailNamingTheField() {
    assertThatThrownBy(() -> ChatRequest.builder().model("m").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("messages");
    assertThatThrownBy(() -> ChatRequest.builder().messages(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("messages");
  }

  @Test
  void badValuesFailAtOnceNamingTheSetting() {
    ChatRequest.Builder b = ChatRequest.builder();
    assertThatThrownBy(() -> b.model("  ")).hasMessageContaining("model");
    assertThatThrownBy(() -> b.maxTokens(-1)).hasMessageContaining("maxTokens");
    assertThatThrownBy(() -> b.maxTokens(0)).hasMessageContaining("maxTokens");
    assertThatThrownBy(() -> b.temperature(2.5)).hasMessageContaining("temperature");
    assertThatThrownBy(() -> b.temperature(Double.NaN)).hasMessageContaining("temperature");
    assertThatThrownBy(() -> b.topP(-0.1)).hasMessageContaining("topP");
    assertThatThrownBy(() -> b.stop(List.of("a", "b", "c", "d", "e"))).hasMessageContaining("stop");
    assertThatThrownBy(() -> b.stop(List.of(""))).hasMessageContaining("stop");
    assertThatThrownBy(() -> b.extra("stream", false)).hasMessageContaining("stream");
    assertThatThrownBy(() -> b.toolChoice("")).hasMessageContaining("toolChoice");
    ToolDefinition t = new ToolDefinition("f", "", "{}");
    b.addTool(t);
    assertThatThrownBy(() -> b.addTool(t)).hasMessageContaining("already added");
  }

  @Test
  void messagesValidateTheirRoleRules() {
    assertThatThrownBy(() -> new ChatMessage(ChatMessage.Role.USER, null, null, null, List.of()))
        .hasMessageContaining("content");
    assertThatThrownBy(() -> ChatMessage.tool(" ", "{}")).hasMessageContaining("toolCallId");
    assertThatThrownBy(
            () ->
                new ChatMessage(
                    ChatMessage.Role.USER, "x", null, null, List.of(new ToolCall(0, "i", "n", "{}"))))
        .hasMessageContaining("toolCalls");
    ChatMessage calls = ChatMessage.assistantToolCalls(List.of(new ToolCall(0, "i", "n", "{}")));
    assertThat(calls.content()).isNull();
    assertThat(ChatMessage.user("secret").toString()).doesNotContain("secret");
  }

  @Test
  void toolDefinitionsValidateNameAndSchema() {
    assertThatThrownBy(() -> new ToolDefinition("bad name", "", "{}")).hasMessageContaining("tool name");
    assertThatThrownBy(() -> new ToolDefinition("ok", "", "[]"))
        .hasMessageContaining("parametersJsonSchema");
  }

  @Test
  void ofUserIsTheShortestRequest() {
    ChatRequest r = ChatRequest.ofUser("Hello");
    assertThat(r.model()).isNull();
    assertThat(r.messages()).containsExactly(ChatMessage.user("Hello"));
  }
}
