package dev.llmstream.groq;

import dev.llmstream.testkit.ResponseScript;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Hand-written pieces of Groq's wire format, and {@link ResponseScript}s that write them byte for byte
 * ({@link ResponseScript.Builder#rawBody}): for tests that control every byte the testkit's fake server
 * sends.
 */
final class Wire {
  private Wire() {}

  /** A chunk with a text delta (no role, no usage). */
  static String textChunk(String text) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
        + json(text) + "},\"finish_reason\":null}]}\n\n";
  }

  /** A chunk with a finish reason and no usage. */
  static String finishChunk(String reason) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\""
        + reason + "\"}]}\n\n";
  }

  static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        default: b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** {@code body} in one write, then the connection stays open, silent, until the client closes it. */
  static ResponseScript writeThenStall(String body) {
    return ResponseScript.builder().rawBody(List.of(utf8(body))).stallAfter(1).build();
  }

  /** {@code writes}, one socket write each, then the end of the body. */
  static ResponseScript writes(List<byte[]> writes) {
    return ResponseScript.builder().rawBody(writes).build();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
