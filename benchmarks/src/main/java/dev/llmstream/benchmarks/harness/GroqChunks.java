package dev.llmstream.benchmarks.harness;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Pre-encoded Groq {@code chat.completion.chunk} events, byte for byte the shape of the recorded fixture
 * {@code shared/fixtures/groq/groq-llama33-70b-text-stop.sse}: a role chunk, content chunks, a final chunk
 * with {@code finish_reason} and usage (in {@code x_groq} and at top level), then {@code [DONE]}.
 *
 * <p>{@code sse*} methods return the SSE bytes; {@code http*} methods wrap one event in one HTTP/1.1 chunk
 * (as a server flushing every event sends it). Utility class.
 */
public final class GroqChunks {
  /** The model named in requests and chunks. */
  public static final String MODEL = "llama-3.3-70b-versatile";

  /** The user prompt every library sends. */
  public static final String PROMPT = "Write a long essay about streaming text to user interfaces.";

  /** Number of digits of a timestamp token (see {@link #timestampTemplate()}). */
  public static final int STAMP_DIGITS = 19;

  private static final String PREFIX =
      "{\"id\":\"chatcmpl-7eb08824-fb8d-47af-a1f0-3aa786f2d1f3\",\"object\":\"chat.completion.chunk\","
          + "\"created\":1770770839,\"model\":\"llama-3.3-70b-versatile\",\"system_fingerprint\":\"fp_f8b414701e\","
          + "\"choices\":[{\"index\":0,\"delta\":";

  private static final String USAGE =
      "{\"queue_time\":0.041905864,\"prompt_tokens\":45,\"prompt_time\":0.003940145,\"completion_tokens\":662,"
          + "\"completion_time\":2.652230333,\"total_tokens\":707,\"total_time\":2.656170478}";

  /** Tokens of a typical answer, cycled; a quote, a backslash-free escape and non-ASCII included. */
  private static final List<String> TOKENS =
      List.of(
          "Int", "roducing", " \"", "L", "ive", " Text", "\"", " streaming", ":", " a", " model", " writes",
          " its", " answer", " one", " token", " at", " a", " time", ",", " and", " the", " interface", " shows",
          " each", " piece", " as", " soon", " as", " it", " arrives", ".", " Users", " see", " progress",
          " immediately", " —", " no", " spinner", ",", " no", " wait", ".\n\n", "The", " caf\u00e9", " example",
          " shows", " accents", " too", ".");

  private GroqChunks() {
    throw new AssertionError("no instances");
  }

  /** The first chunk: role assistant, empty content, {@code x_groq.id}. */
  public static byte[] sseRole() {
    return sse(
        PREFIX
            + "{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],"
            + "\"x_groq\":{\"id\":\"req_01kh52ndshfr2azv0xe6tnv4fx\",\"seed\":1535227698}}");
  }

  /** A content chunk carrying {@code text}. */
  public static byte[] sseContent(String text) {
    return sse(PREFIX + "{\"content\":" + jsonString(text) + "},\"logprobs\":null,\"finish_reason\":null}]}");
  }

  /** The final chunk: {@code finish_reason: stop} and usage. */
  public static byte[] sseFinish() {
    return sse(
        PREFIX
            + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"x_groq\":{\"id\":\"req_01kh52ndshfr2azv0xe6tnv4fx\","
            + "\"usage\":" + USAGE + "},\"usage\":" + USAGE + "}");
  }

  /** {@code data: [DONE]}. */
  public static byte[] sseDone() {
    return "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  }

  /** The {@code i}-th token of the cycled answer. */
  public static String token(int i) {
    return TOKENS.get(i % TOKENS.size());
  }

  /** A whole answer of {@code tokens} content chunks as SSE bytes (for the in-memory parse path). */
  public static byte[] sseAnswer(int tokens) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(tokens * 240 + 2048);
    out.writeBytes(sseRole());
    for (int i = 0; i < tokens; i++) {
      out.writeBytes(sseContent(token(i)));
    }
    out.writeBytes(sseFinish());
    out.writeBytes(sseDone());
    return out.toByteArray();
  }

  /**
   * A whole HTTP response (status line, headers, one HTTP chunk per event, last chunk) of {@code tokens}
   * content chunks.
   */
  public static byte[] httpAnswer(int tokens) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(tokens * 250 + 4096);
    out.writeBytes(LoopbackServer.responseHeaders());
    out.writeBytes(http(sseRole()));
    for (int i = 0; i < tokens; i++) {
      out.writeBytes(http(sseContent(token(i))));
    }
    out.writeBytes(http(sseFinish()));
    out.writeBytes(http(sseDone()));
    out.writeBytes(LoopbackServer.lastChunk());
    return out.toByteArray();
  }

  /** The response head and the role chunk: everything a server sends before the first token. */
  public static byte[] httpHeadAndRole() {
    return concat(LoopbackServer.responseHeaders(), http(sseRole()));
  }

  /** The final chunk, {@code [DONE]} and the last HTTP chunk: everything after the last token. */
  public static byte[] httpTail() {
    return concat(http(sseFinish()), http(sseDone()), LoopbackServer.lastChunk());
  }

  /**
   * An HTTP chunk holding a content event whose text is {@value #STAMP_DIGITS} zeros: the paced server
   * writes its {@code System.nanoTime()} there just before the write (see {@link #stamp(byte[], int, long)}).
   */
  public static byte[] timestampTemplate() {
    return timestampTemplate("");
  }

  /** Like {@link #timestampTemplate()}, with {@code suffix} after the digits (such as a space). */
  public static byte[] timestampTemplate(String suffix) {
    return http(sseContent("0".repeat(STAMP_DIGITS) + suffix));
  }

  /** Where the digits of {@link #timestampTemplate()} start. */
  public static int stampOffset(byte[] template) {
    byte[] zeros = ("\"" + "0".repeat(STAMP_DIGITS)).getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + zeros.length <= template.length; i++) {
      for (int k = 0; k < zeros.length; k++) {
        if (template[i + k] != zeros[k]) {
          continue outer;
        }
      }
      return i + 1;
    }
    throw new IllegalStateException("no timestamp field in the template");
  }

  /** Writes {@code value} as {@value #STAMP_DIGITS} zero-padded decimal digits at {@code offset}. */
  public static void stamp(byte[] chunk, int offset, long value) {
    long v = value;
    for (int i = offset + STAMP_DIGITS - 1; i >= offset; i--) {
      chunk[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
  }

  /** Reads a token written by {@link #stamp}; -1 if {@code text} is not one. */
  public static long parseStamp(String text) {
    if (text.length() != STAMP_DIGITS) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < STAMP_DIGITS; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Wraps one event in one HTTP/1.1 chunk. */
  public static byte[] http(byte[] event) {
    byte[] head = (Integer.toHexString(event.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    return concat(head, event, "\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] sse(String json) {
    return ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
