package dev.llmstream.groq.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * A server that ignores {@code "stream": true} answers with one complete {@code chat.completion} object
 * ({@code choices[].message}) instead of an event stream. This turns such an answer into the equivalent
 * single {@code chat.completion.chunk} ({@code choices[].delta}, tool calls indexed), so that it goes
 * through the same decoder, limits and events as a streamed one. Read as a tree: it happens once per
 * answer and only with misconfigured servers. Stateless.
 */
public final class NonStreamingAnswer {
  private NonStreamingAnswer() {
    throw new AssertionError("no instances");
  }

  /**
   * The chunk equivalent to a complete answer.
   *
   * @param mapper the provider's mapper
   * @param body the response body
   * @param length its valid bytes
   * @return the chunk's JSON bytes, or {@code null} if the body is not a chat completion with a message
   */
  public static byte @Nullable [] toChunk(ObjectMapper mapper, byte[] body, int length) {
    JsonNode root;
    try {
      root = mapper.readTree(body, 0, length);
    } catch (IOException e) {
      return null;
    }
    if (root == null || !root.isObject() || root.has("error")) {
      return null;
    }
    JsonNode choices = root.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      return null;
    }
    ObjectNode chunk = ((ObjectNode) root).deepCopy();
    chunk.put("object", "chat.completion.chunk");
    ArrayNode out = chunk.putArray("choices");
    for (JsonNode choice : choices) {
      JsonNode message = choice.get("message");
      if (!choice.isObject() || message == null || !message.isObject()) {
        return null;
      }
      ObjectNode c = ((ObjectNode) choice).deepCopy();
      c.remove("message");
      ObjectNode delta = ((ObjectNode) message).deepCopy();
      JsonNode calls = delta.get("tool_calls");
      if (calls != null && calls.isArray()) {
        int i = 0;
        for (JsonNode call : calls) {
          if (call.isObject() && !call.has("index")) {
            ((ObjectNode) call).put("index", i);
          }
          i++;
        }
      }
      c.set("delta", delta);
      out.add(c);
    }
    try {
      return mapper.writeValueAsBytes(chunk);
    } catch (IOException e) {
      return null;
    }
  }
}
