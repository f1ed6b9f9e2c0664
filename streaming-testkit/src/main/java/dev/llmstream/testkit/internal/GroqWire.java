package dev.llmstream.testkit.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/**
 * Writes Groq's wire format: {@code chat.completion.chunk} events, the usage chunk, {@code [DONE]},
 * mid-stream {@code event: error} frames and HTTP error bodies. Field order follows the recordings.
 * Any text (quotes, newlines, emoji, control characters) is escaped by Jackson.
 */
public final class GroqWire {
  private static final JsonFactory JSON = new JsonFactory();

  /** The end-of-stream event. */
  public static final String DONE = "data: [DONE]\n\n";

  /** The identity of one response: shared by all its chunks. */
  public record Ids(String chatId, String requestId, long created, String model, long seed) {}

  /** Usage numbers for the last chunk. */
  public record UsageNumbers(
      double queueTime, long promptTokens, double promptTime, long completionTokens,
      double completionTime) {}

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static final java.util.regex.Pattern ROLE_ONLY = java.util.regex.Pattern.compile(
      "\"delta\":\\{\"role\":\"assistant\",\"content\":(\"\"|null)\\}");

  private GroqWire() {
    throw new AssertionError("no instances");
  }

  /** The first chunk: {@code delta.role} and {@code x_groq.id}. */
  public static String roleChunk(Ids ids, boolean nullContent) {
    return chunk(ids, g -> {
      g.writeStringField("role", "assistant");
      if (nullContent) {
        g.writeNullField("content");
      } else {
        g.writeStringField("content", "");
      }
    }, null, g -> {
      g.writeObjectFieldStart("x_groq");
      g.writeStringField("id", ids.requestId());
      g.writeNumberField("seed", ids.seed());
      g.writeEndObject();
    });
  }

  /**
   * Whether a chunk only opens the answer: a {@code delta} with the {@code role} and an empty or null
   * {@code content}, no reasoning and no tool calls (what {@link #roleChunk} writes and what Groq sends
   * first). A textual check, enough for the chunks this class writes and for recorded Groq transcripts.
   *
   * @param event one SSE event as the plan frames it ({@code data: {...}})
   * @return {@code true} if the chunk carries no part of the answer
   */
  public static boolean isRoleOnly(String event) {
    return ROLE_ONLY.matcher(event).find()
        && !event.contains("\"reasoning\"")
        && !event.contains("\"tool_calls\"");
  }

  /** A text ({@code content}) or reasoning ({@code reasoning}) delta. */
  public static String deltaChunk(Ids ids, String field, String text) {
    return chunk(ids, g -> g.writeStringField(field, text), null, null);
  }

  /** A whole tool call in one delta. */
  public static String toolCallChunk(Ids ids, int index, ScriptSpec.ToolSpec call) {
    return chunk(ids, g -> {
      g.writeArrayFieldStart("tool_calls");
      g.writeStartObject();
      g.writeStringField("id", call.id());
      g.writeStringField("type", "function");
      g.writeObjectFieldStart("function");
      g.writeStringField("name", call.name());
      g.writeStringField("arguments", call.arguments());
      g.writeEndObject();
      g.writeNumberField("index", index);
      g.writeEndObject();
      g.writeEndArray();
    }, null, null);
  }

  /** The last chunk: empty delta, {@code finish_reason}, usage in {@code x_groq} and at top level. */
  public static String finishChunk(Ids ids, String finishReason, UsageNumbers u) {
    return chunk(ids, g -> {}, finishReason, g -> {
      g.writeObjectFieldStart("x_groq");
      g.writeStringField("id", ids.requestId());
      g.writeFieldName("usage");
      writeUsage(g, u);
      g.writeEndObject();
      g.writeFieldName("usage");
      writeUsage(g, u);
    });
  }

  /** Groq's mid-stream error frame. */
  public static String errorEvent(String type, String code, String message, int statusCode) {
    return "event: error\ndata: " + json(g -> {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeStringField("message", message);
      g.writeStringField("type", type);
      g.writeStringField("code", code);
      g.writeNumberField("status_code", statusCode);
      g.writeEndObject();
      g.writeEndObject();
    }) + "\n\n";
  }

  /** An HTTP error body {@code {"error":{"message","type","code"}}}. */
  public static String errorBody(String message, String type, @Nullable String code) {
    return json(g -> {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeStringField("message", message);
      g.writeStringField("type", type);
      if (code != null) {
        g.writeStringField("code", code);
      }
      g.writeEndObject();
      g.writeEndObject();
    });
  }

  /** A JSON string literal, quoted and escaped. */
  public static String quote(String s) {
    return json(g -> g.writeString(s));
  }

  /**
   * The event with its JSON cut in half: never valid JSON (an object missing its closing brace), still a
   * well-formed SSE event.
   */
  public static String malform(String event) {
    String data = event.strip();
    int half = Math.max("data: {".length(), data.length() / 2);
    return data.substring(0, Math.min(half, data.length() - 1)) + "\n\n";
  }

  private static void writeUsage(JsonGenerator g, UsageNumbers u) throws IOException {
    g.writeStartObject();
    g.writeNumberField("queue_time", round(u.queueTime()));
    g.writeNumberField("prompt_tokens", u.promptTokens());
    g.writeNumberField("prompt_time", round(u.promptTime()));
    g.writeNumberField("completion_tokens", u.completionTokens());
    g.writeNumberField("completion_time", round(u.completionTime()));
    g.writeNumberField("total_tokens", u.promptTokens() + u.completionTokens());
    g.writeNumberField("total_time", round(u.queueTime() + u.promptTime() + u.completionTime()));
    g.writeEndObject();
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1e9) / 1e9;
  }

  private static String chunk(Ids ids, Body delta, @Nullable String finishReason, @Nullable Body tail) {
    return "data: " + json(g -> {
      g.writeStartObject();
      g.writeStringField("id", ids.chatId());
      g.writeStringField("object", "chat.completion.chunk");
      g.writeNumberField("created", ids.created());
      g.writeStringField("model", ids.model());
      g.writeStringField("system_fingerprint", "fp_fake0test");
      g.writeArrayFieldStart("choices");
      g.writeStartObject();
      g.writeNumberField("index", 0);
      g.writeObjectFieldStart("delta");
      delta.write(g);
      g.writeEndObject();
      g.writeNullField("logprobs");
      if (finishReason == null) {
        g.writeNullField("finish_reason");
      } else {
        g.writeStringField("finish_reason", finishReason);
      }
      g.writeEndObject();
      g.writeEndArray();
      if (tail != null) {
        tail.write(g);
      }
      g.writeEndObject();
    }) + "\n\n";
  }

  private static String json(Body body) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen with a StringWriter
    }
    return out.toString();
  }
}
