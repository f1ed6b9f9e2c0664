package dev.llmstream.groq.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ToolCall;
import dev.llmstream.core.ToolDefinition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link ChatRequest} as the body of {@code POST /chat/completions} with {@code stream: true}, in
 * the OpenAI/Groq wire format. Extras are written as they are and win over a field of the same name.
 * Stateless and thread-safe.
 */
public final class RequestEncoder {
  private static final Set<String> TOOL_CHOICE_KEYWORDS = Set.of("auto", "none", "required");

  private final ObjectMapper mapper;

  /**
   * Creates an encoder.
   *
   * @param mapper the shared mapper
   */
  public RequestEncoder(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Encodes the request.
   *
   * @param request the request
   * @param model the model to name (the request's or the provider's default)
   * @return the JSON body
   * @throws IllegalArgumentException if a tool's parameter schema is not valid JSON
   */
  public byte[] encode(ChatRequest request, String model) {
    Map<String, Object> extras = request.extras();
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
      g.writeStartObject();
      if (!extras.containsKey("model")) {
        g.writeStringField("model", model);
      }
      g.writeArrayFieldStart("messages");
      for (ChatMessage m : request.messages()) {
        writeMessage(g, m);
      }
      g.writeEndArray();
      g.writeBooleanField("stream", true);
      if (request.temperature() != null && !extras.containsKey("temperature")) {
        g.writeNumberField("temperature", request.temperature());
      }
      if (request.topP() != null && !extras.containsKey("top_p")) {
        g.writeNumberField("top_p", request.topP());
      }
      if (request.maxTokens() != null && !extras.containsKey("max_completion_tokens")) {
        g.writeNumberField("max_completion_tokens", request.maxTokens());
      }
      if (!request.stop().isEmpty() && !extras.containsKey("stop")) {
        g.writeArrayFieldStart("stop");
        for (String s : request.stop()) {
          g.writeString(s);
        }
        g.writeEndArray();
      }
      if (request.seed() != null && !extras.containsKey("seed")) {
        g.writeNumberField("seed", request.seed());
      }
      if (!request.tools().isEmpty() && !extras.containsKey("tools")) {
        writeTools(g, request.tools());
      }
      String toolChoice = request.toolChoice();
      if (toolChoice != null && !extras.containsKey("tool_choice")) {
        if (TOOL_CHOICE_KEYWORDS.contains(toolChoice.toLowerCase(Locale.ROOT))) {
          g.writeStringField("tool_choice", toolChoice.toLowerCase(Locale.ROOT));
        } else {
          g.writeObjectFieldStart("tool_choice");
          g.writeStringField("type", "function");
          g.writeObjectFieldStart("function");
          g.writeStringField("name", toolChoice);
          g.writeEndObject();
          g.writeEndObject();
        }
      }
      if (request.responseFormat() != null && !extras.containsKey("response_format")) {
        g.writeObjectFieldStart("response_format");
        g.writeStringField("type", request.responseFormat());
        g.writeEndObject();
      }
      if (request.reasoningFormat() != null && !extras.containsKey("reasoning_format")) {
        g.writeStringField("reasoning_format", request.reasoningFormat());
      }
      if (request.reasoningEffort() != null && !extras.containsKey("reasoning_effort")) {
        g.writeStringField("reasoning_effort", request.reasoningEffort());
      }
      if (request.user() != null && !extras.containsKey("user")) {
        g.writeStringField("user", request.user());
      }
      for (Map.Entry<String, Object> e : extras.entrySet()) {
        g.writeFieldName(e.getKey());
        g.writePOJO(e.getValue());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not encode the chat request", e);
    }
    return out.toByteArray();
  }

  private static void writeMessage(JsonGenerator g, ChatMessage m) throws IOException {
    g.writeStartObject();
    g.writeStringField("role", m.role().name().toLowerCase(Locale.ROOT));
    if (m.content() != null) {
      g.writeStringField("content", m.content());
    }
    if (m.name() != null) {
      g.writeStringField("name", m.name());
    }
    if (m.toolCallId() != null) {
      g.writeStringField("tool_call_id", m.toolCallId());
    }
    if (!m.toolCalls().isEmpty()) {
      g.writeArrayFieldStart("tool_calls");
      for (ToolCall c : m.toolCalls()) {
        g.writeStartObject();
        g.writeStringField("id", c.id());
        g.writeStringField("type", "function");
        g.writeObjectFieldStart("function");
        g.writeStringField("name", c.name());
        g.writeStringField("arguments", c.arguments());
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private void writeTools(JsonGenerator g, List<ToolDefinition> tools) throws IOException {
    g.writeArrayFieldStart("tools");
    for (ToolDefinition t : tools) {
      JsonNode schema;
      try {
        schema = mapper.readTree(t.parametersJsonSchema());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException(
            "parametersJsonSchema of tool '" + t.name() + "' is not valid JSON: " + e.getOriginalMessage(), e);
      }
      g.writeStartObject();
      g.writeStringField("type", "function");
      g.writeObjectFieldStart("function");
      g.writeStringField("name", t.name());
      if (!t.description().isEmpty()) {
        g.writeStringField("description", t.description());
      }
      g.writeFieldName("parameters");
      g.writeTree(schema);
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
