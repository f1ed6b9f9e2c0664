package dev.llmstream.groq.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A server that ignores {@code "stream": true} answers with one complete {@code chat.completion} object
 * ({@code choices[].message}) instead of an event stream. This turns such an answer into the equivalent
 * single {@code chat.completion.chunk} ({@code choices[].delta}, tool calls indexed), so that it goes
 * through the same decoder, limits and events as a streamed one. Read as a tree: it happens once per
 * answer and only with misconfigured servers. Stateless.
 */
public final class NonStreamingAnswer {
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private NonStreamingAnswer() {
    throw new AssertionError("no instances");
  }

  /**
   * Decodes a complete answer (inflating it first when the body was compressed) into {@code out}, ending
   * it with the finish: a one-chunk answer.
   *
   * @param mapper the provider's mapper
   * @param inflater the body's decoder, or {@code null} when not compressed
   * @param body the body as received
   * @param length its valid bytes
   * @param maxBytes the most plain bytes accepted
   * @param decoder the attempt's chunk decoder
   * @param out receives the events
   * @return {@code false} if the body is not a chat completion (nothing was decoded)
   * @throws dev.llmstream.core.StreamException if the answer breaks a limit
   */
  public static boolean decode(
      ObjectMapper mapper,
      @Nullable BodyInflater inflater,
      byte[] body,
      int length,
      int maxBytes,
      ChunkDecoder decoder,
      List<StreamEvent> out) {
    byte[] bytes = body;
    int n = length;
    if (inflater != null) {
      ByteArrayOutputStream plain = new ByteArrayOutputStream();
      try {
        inflater.inflate(ByteBuffer.wrap(body, 0, length), (b, from, to) -> {
          if (plain.size() + (to - from) > maxBytes) {
            throw new StreamException(ErrorKind.PROTOCOL, "larger than maxEventBytes", StreamException.NO_STATUS, null, null);
          }
          plain.write(b, from, to - from);
        });
      } catch (StreamException e) {
        return false; // corrupt or too large: reported as a non-stream response
      }
      bytes = plain.toByteArray();
      n = bytes.length;
    }
    byte[] chunk = toChunk(mapper, bytes, n);
    if (chunk == null) {
      return false;
    }
    decoder.onEvent(null, chunk, chunk.length, out);
    if (!decoder.isDone()) {
      decoder.onEvent(null, DONE, DONE.length, out);
    }
    return true;
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
