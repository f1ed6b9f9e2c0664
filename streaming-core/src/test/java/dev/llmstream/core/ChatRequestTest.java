package dev.llmstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatRequestTest {

  @Test
  void withersReturnNewImmutableRequestsAndLeaveTheOriginalAlone() {
    ChatRequest r =
        ChatRequest.of(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")))
            .withModel("llama-3.3-70b-versatile")
            .withTemperature(0.7)
            .withTopP(0.9)
            .withMaxTokens(256)
            .withStop(List.of("\n\n"))
            .withSeed(42)
            .withTool(new ToolDefinition("get_weather", "Weather", "{\"type\":\"object\"}"))
            .withToolChoice("auto")
            .withResponseFormat("json_object")
            .withReasoningEffort("low")
            .withReasoningFormat("parsed")
            .withUser("u-1")
            .withExtra("service_tier", "flex");
    ChatRequest copy = r.withMessage(ChatMessage.assistant("Hello"));
    assertThat(r.messages()).hasSize(2);
    assertThat(copy.messages()).hasSize(3);
    assertThat(copy.model()).isEqualTo("llama-3.3-70b-versatile");
    assertThat(copy.temperature()).isEqualTo(0.7);
    assertThat(copy.topP()).isEqualTo(0.9);
    assertThat(copy.maxTokens()).isEqualTo(256);
    assertThat(copy.stop()).containsExactly("\n\n");
    assertThat(copy.seed()).isEqualTo(42L);
    assertThat(copy.tools()).extracting(ToolDefinition::name).containsExactly("get_weather");
    assertThat(copy.toolChoice()).isEqualTo("auto");
    assertThat(copy.responseFormat()).isEqualTo("json_object");
    assertThat(copy.reasoningEffort()).isEqualTo("low");
    assertThat(copy.reasoningFormat()).isEqualTo("parsed");
    assertThat(copy.user()).isEqualTo("u-1");
    assertThat(copy.extras()).containsEntry("service_tier", "flex");
    assertThat(r.withExtra("service_tier", "auto").extras()).containsExactly(java.util.Map.entry("service_tier", "auto"));
    assertThat(r.withModel("other").model()).isEqualTo("other");
    assertThat(r.model()).isEqualTo("llama-3.3-70b-versatile");
    assertThat(r.withMessages(List.of(ChatMessage.user("x"))).messages()).containsExactly(ChatMessage.user("x"));
    assertThatThrownBy(() -> r.messages().add(ChatMessage.user("x")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> r.extras().put("k", "v")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(r.toString()).doesNotContain("Be brief").doesNotContain("flex").contains("messages=2");
    assertThat(r).isNotEqualTo(r.withSeed(42)).isEqualTo(r);
  }

  @Test
  void emptyMessagesFailNamingTheField() {
    assertThatThrownBy(() -> ChatRequest.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("messages");
    assertThatThrownBy(() -> ChatRequest.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("messages");
    assertThatThrownBy(() -> ChatRequest.ofUser("x").withMessages(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("messages");
    assertThatThrownBy(() -> ChatRequest.ofUser("x").withMessage(null)).hasMessage("message");
  }

  @Test
  void badValuesFailAtOnceNamingTheSetting() {
    ChatRequest b = ChatRequest.ofUser("x");
    assertThatThrownBy(() -> b.withModel("  ")).hasMessageContaining("model");
    assertThatThrownBy(() -> b.withMaxTokens(-1)).hasMessageContaining("maxTokens");
    assertThatThrownBy(() -> b.withMaxTokens(0)).hasMessageContaining("maxTokens");
    assertThatThrownBy(() -> b.withTemperature(2.5)).hasMessageContaining("temperature");
    assertThatThrownBy(() -> b.withTemperature(Double.NaN)).hasMessageContaining("temperature");
    assertThatThrownBy(() -> b.withTopP(-0.1)).hasMessageContaining("topP");
    assertThatThrownBy(() -> b.withStop(List.of("a", "b", "c", "d", "e"))).hasMessageContaining("stop");
    assertThatThrownBy(() -> b.withStop(List.of(""))).hasMessageContaining("stop");
    assertThatThrownBy(() -> b.withExtra("stream", false)).hasMessageContaining("stream");
    assertThatThrownBy(() -> b.withExtra(" ", 1)).hasMessageContaining("extra key");
    assertThatThrownBy(() -> b.withToolChoice("")).hasMessageContaining("toolChoice");
    ToolDefinition t = new ToolDefinition("f", "", "{}");
    ChatRequest withTool = b.withTool(t);
    assertThatThrownBy(() -> withTool.withTool(t)).hasMessageContaining("already added");
    assertThat(b.tools()).isEmpty();
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
