package dev.llmstream.web.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Stores a run's request with the run (attribute {@link #ATTRIBUTE}) so that another instance can continue
 * the answer when its producer is gone. Covers model, messages (role, content, name, tool call id) and the
 * sampling settings; a request with tools, tool calls or provider extras is not stored (such a run is not
 * taken over). Hand-written on Jackson's streaming API because the core's request type has no JSON form
 * and Jackson stays internal. Stateless and thread-safe.
 */
final class RequestCodec {
  /** The run attribute that holds the request. */
  static final String ATTRIBUTE = "llmstream.request";

  private static final JsonFactory JSON = JsonFactory.builder().build();

  private RequestCodec() {
    throw new AssertionError("no instances");
  }

  /** The request as JSON, or null when it cannot be stored faithfully. */
  static @Nullable String encode(ChatRequest r) {
    if (!r.tools().isEmpty() || r.toolChoice() != null || !r.extras().isEmpty()) {
      return null;
    }
    for (ChatMessage m : r.messages()) {
      if (!m.toolCalls().isEmpty()) {
        return null;
      }
    }
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("model", r.model());
      g.writeArrayFieldStart("messages");
      for (ChatMessage m : r.messages()) {
        g.writeStartObject();
        g.writeStringField("role", m.role().name());
        g.writeStringField("content", m.content());
        g.writeStringField("name", m.name());
        g.writeStringField("toolCallId", m.toolCallId());
        g.writeEndObject();
      }
      g.writeEndArray();
      if (r.temperature() != null) {
        g.writeNumberField("temperature", r.temperature());
      }
      if (r.topP() != null) {
        g.writeNumberField("topP", r.topP());
      }
      if (r.maxTokens() != null) {
        g.writeNumberField("maxTokens", r.maxTokens());
      }
      if (r.seed() != null) {
        g.writeNumberField("seed", r.seed());
      }
      g.writeArrayFieldStart("stop");
      for (String s : r.stop()) {
        g.writeString(s);
      }
      g.writeEndArray();
      g.writeStringField("responseFormat", r.responseFormat());
      g.writeStringField("reasoningEffort", r.reasoningEffort());
      g.writeStringField("reasoningFormat", r.reasoningFormat());
      g.writeStringField("user", r.user());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** Reads a request written by {@link #encode}. */
  static ChatRequest decode(String json) {
    // The options are read onto a stand-in conversation; the stored messages replace it at the end.
    ChatRequest b = ChatRequest.ofUser("(messages follow)");
    List<ChatMessage> messages = new ArrayList<>();
    try (JsonParser p = JSON.createParser(json)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if (v == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (field) {
          case "model" -> b = b.withModel(p.getText());
          case "messages" -> {
            expect(v, JsonToken.START_ARRAY);
            while (p.nextToken() == JsonToken.START_OBJECT) {
              messages.add(message(p));
            }
          }
          case "temperature" -> b = b.withTemperature(p.getDoubleValue());
          case "topP" -> b = b.withTopP(p.getDoubleValue());
          case "maxTokens" -> b = b.withMaxTokens(p.getIntValue());
          case "seed" -> b = b.withSeed(p.getLongValue());
          case "stop" -> {
            List<String> stop = new ArrayList<>();
            while (p.nextToken() == JsonToken.VALUE_STRING) {
              stop.add(p.getText());
            }
            if (!stop.isEmpty()) {
              b = b.withStop(stop);
            }
          }
          case "responseFormat" -> b = b.withResponseFormat(p.getText());
          case "reasoningEffort" -> b = b.withReasoningEffort(p.getText());
          case "reasoningFormat" -> b = b.withReasoningFormat(p.getText());
          case "user" -> b = b.withUser(p.getText());
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.withMessages(messages);
  }

  private static ChatMessage message(JsonParser p) throws IOException {
    String role = null;
    String content = null;
    String name = null;
    String toolCallId = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      String text = v == JsonToken.VALUE_NULL ? null : p.getText();
      switch (field) {
        case "role" -> role = text;
        case "content" -> content = text;
        case "name" -> name = text;
        case "toolCallId" -> toolCallId = text;
        default -> p.skipChildren();
      }
    }
    if (role == null) {
      throw new IllegalArgumentException("a stored message has no role");
    }
    return new ChatMessage(ChatMessage.Role.valueOf(role), content, name, toolCallId, List.of());
  }

  private static void expect(@Nullable JsonToken got, JsonToken want) {
    if (got != want) {
      throw new IllegalArgumentException("stored request: expected " + want + ", found " + got);
    }
  }
}
