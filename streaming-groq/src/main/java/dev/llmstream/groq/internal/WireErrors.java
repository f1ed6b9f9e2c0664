package dev.llmstream.groq.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.StreamException;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Reads the error objects a stream may report (rare) as trees: {@code error} events, and chunks with an
 * {@code error} or {@code x_groq.error} object. Thread-safe (the mapper is).
 */
final class WireErrors {
  private final ObjectMapper mapper;

  WireErrors(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Reads an SSE event of type {@code error}: its {@code error} object, or the object itself, or, if it is
   * not a JSON object, its text.
   */
  Chunk.WireError event(byte[] data, int length) {
    JsonNode root;
    try {
      root = mapper.readTree(data, 0, length);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      return new Chunk.WireError(excerpt(data, length), null, null, StreamException.NO_STATUS);
    }
    return of(root.has("error") ? root.get("error") : root);
  }

  /**
   * Reads the error object of a chunk (rare) as a tree from the event's bytes, with a blocking parser of
   * its own: the chunk parser stops where it is and is replaced.
   */
  Chunk.WireError inChunk(byte[] data, int start, int length, boolean inXGroq) throws IOException {
    JsonNode root = mapper.readTree(data, start, length - start);
    JsonNode holder = inXGroq && root != null ? root.get("x_groq") : root;
    JsonNode error = holder == null ? null : holder.get("error");
    return of(error == null ? mapper.getNodeFactory().textNode("(unreadable error)") : error);
  }

  private static Chunk.WireError of(JsonNode error) {
    String message;
    String type = null;
    String code = null;
    int status = StreamException.NO_STATUS;
    if (error.isObject()) {
      message = text(error.get("message"));
      type = short200(text(error.get("type")));
      code = short200(text(error.get("code")));
      JsonNode sc = error.get("status_code");
      if (sc == null) {
        sc = error.get("status");
      }
      if (sc != null && sc.canConvertToInt() && sc.isNumber()) {
        status = sc.intValue();
      } else if (sc != null && sc.isTextual()) {
        try {
          status = Integer.parseInt(sc.asText().trim());
        } catch (NumberFormatException ignored) {
          // not a status
        }
      }
      if (message == null) {
        message = AnswerRules.bounded(error.toString());
      }
    } else {
      message = error.isTextual() ? error.asText() : error.toString();
    }
    return new Chunk.WireError(message, type, code, status);
  }

  private static @Nullable String text(@Nullable JsonNode n) {
    return n == null || n.isNull() ? null : n.isTextual() ? n.asText() : n.toString();
  }

  private static @Nullable String short200(@Nullable String s) {
    return JacksonChunkParser.short200(s);
  }

  private static String excerpt(byte[] data, int length) {
    return JacksonChunkParser.excerpt(data, length);
  }
}
