package dev.llmstream.groq;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Generates random and mutated Groq SSE transcripts from a seed: windows of the recorded fixtures and
 * synthesized chunk sequences, then mutations (bytes flipped, truncation, duplicated events, huge lines,
 * invalid UTF-8, random {@code event:}/{@code id:}/{@code retry:}/comment lines, JSON of the wrong shape,
 * other line ends). The same seed always gives the same bytes.
 */
final class FuzzTranscripts {
  /** The limits the fuzzed provider/parser runs with (small, so "huge" input is cheap to generate). */
  static final int MAX_LINE = 4 * 1024;
  static final int MAX_EVENT = 6 * 1024;
  static final int MAX_ANSWER = 8_000;
  static final int MAX_TOOL = 3_000;

  private static final List<List<String>> FIXTURE_EVENTS = loadFixtures();

  private static final String[] WRONG_SHAPES = {
    "[]", "1", "\"text\"", "null", "true", "{}", "{\"choices\":\"x\"}", "{\"choices\":[1,2,3]}",
    "{\"choices\":[{\"delta\":[]}]}", "{\"choices\":[{\"delta\":{\"content\":5}}]}",
    "{\"choices\":[{\"delta\":{\"content\":{\"a\":[1]}}}]}", "{\"choices\":[{\"delta\":{\"reasoning\":[\"x\"]}}]}",
    "{\"choices\":[{\"index\":-1,\"delta\":{\"content\":\"neg\"}}]}",
    "{\"choices\":[{\"index\":99999999999,\"delta\":{\"content\":\"big\"}}]}",
    "{\"choices\":[{\"index\":0.5,\"delta\":{\"content\":\"half\"}}]}",
    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-5,\"function\":{\"arguments\":\"x\"}}]}}]}",
    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":2147483647,\"id\":\"c\",\"function\":{\"name\":\"f\"}}]}}]}",
    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":99999999999}]}}]}",
    "{\"choices\":[{\"delta\":{\"tool_calls\":{\"index\":0}}}]}",
    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":\"f\"}]}}]}",
    "{\"choices\":[{\"delta\":{},\"finish_reason\":5}]}", "{\"choices\":[{\"delta\":{},\"finish_reason\":\"\"}]}",
    "{\"choices\":[{\"delta\":{},\"finish_reason\":\"weird_reason\"}],\"usage\":{\"prompt_tokens\":1}}",
    "{\"choices\":[],\"usage\":{\"prompt_tokens\":1e400,\"completion_tokens\":-3,\"total_tokens\":\"x\"}}",
    "{\"choices\":[],\"usage\":{\"prompt_tokens\":99999999999999999999999}}",
    "{\"x_groq\":{\"usage\":{\"queue_time\":\"x\",\"total_time\":-1,\"prompt_time\":1e308}}}",
    "{\"x_groq\":{\"id\":5,\"error\":{\"message\":null}}}", "{\"x_groq\":[]}", "{\"usage\":[]}",
    "{\"error\":{\"message\":null}}", "{\"error\":[]}", "{\"error\":\"plain\"}", "{\"error\":{\"status_code\":\"abc\"}}",
    "{\"a\":1}{\"b\":2}", "{\"a\":1} trailing", "{\"a\":", "{\"choices\":[{\"delta\":{\"content\":\"unterminated",
    "{\"model\":5,\"choices\":null}", "{\"choices\":[{\"delta\":{\"content\":\"\\ud800\\udc00\\ud800\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"\\u0000\\u001f\\\\\"}}]}", "[DONE] extra", "[DONE]",
  };

  private static final String[] FIELD_LINES = {
    "event: error\n", "event: message\n", "event: ping\n", "event:\n", "id: 42\n", "id\n", "id: \u0000x\n",
    "retry: 1000\n", "retry: -5\n", "retry: 99999999999999999999\n", ": keep-alive\n", ":\n", "data\n",
    "data:\n", "unknown: field\n", "DATA: upper\n", " data: leading-space\n", "\n", "\n\n", "data: [DONE]\n\n",
  };

  private FuzzTranscripts() {}

  /**
   * One generated case. {@code equivalent}, when not null, is what the bytes must decode like: the same transcript
   * without the leading byte order mark, or with one blank line instead of the comment-only tail.
   */
  record Case(long seed, byte[] bytes, String recipe, byte @Nullable [] equivalent) {}

  static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  static Case generate(long seed) {
    Random r = new Random(seed);
    StringBuilder recipe = new StringBuilder();
    List<byte[]> events = r.nextInt(3) == 0 ? synthesized(r, recipe) : fixtureWindow(r, recipe);
    int mutations = r.nextInt(5);
    for (int m = 0; m < mutations; m++) {
      mutateEvents(r, events, recipe);
    }
    byte[] bytes = join(events);
    if (r.nextInt(6) == 0) {
      bytes = lineEnds(r, bytes, recipe);
    }
    int byteMutations = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 0;
    for (int m = 0; m < byteMutations; m++) {
      bytes = mutateBytes(r, bytes, recipe);
    }
    // issue 18's mutations draw from their own generator, so every earlier seed keeps its case
    Random more = new Random(seed * 0x9E3779B97F4A7C15L + 11);
    byte[] equivalent = null;
    boolean tailAdded = more.nextInt(8) == 0;
    if (tailAdded) {
      // keep-alive comments after everything (after the finish, or where the body was cut)
      byte[] tail = ": keep-alive\n\n".repeat(1 + more.nextInt(20)).getBytes(StandardCharsets.US_ASCII);
      boolean lineEnded = bytes.length > 0 && (bytes[bytes.length - 1] == '\n' || bytes[bytes.length - 1] == '\r');
      // after a line end, the comments are skipped and their blank lines end any pending event, as one
      // more blank line would; appended to a cut line, the comment would join that line
      equivalent = !lineEnded ? null
          : concat(bytes, new byte[] {bytes[bytes.length - 1] == '\r' ? (byte) '\r' : (byte) '\n'});
      bytes = concat(bytes, tail);
      recipe.append(" commentTail");
    }
    if (more.nextInt(8) == 0) {
      equivalent = tailAdded ? equivalent : bytes;
      bytes = concat(BOM, bytes);
      recipe.append(" bom");
    }
    return new Case(seed, bytes, recipe.toString(), equivalent);
  }

  // ------------------------------------------------------------------ sources

  private static List<byte[]> fixtureWindow(Random r, StringBuilder recipe) {
    List<String> all = FIXTURE_EVENTS.get(r.nextInt(FIXTURE_EVENTS.size()));
    int n = Math.min(all.size(), 1 + r.nextInt(16));
    int start = r.nextInt(all.size() - n + 1);
    if (r.nextInt(3) == 0) {
      start = 0;
    }
    List<byte[]> out = new ArrayList<>();
    for (int i = start; i < start + n; i++) {
      out.add(bytes(all.get(i)));
    }
    if (r.nextBoolean()) { // keep the real ending (finish, usage, [DONE] or error) most of the time
      for (int i = Math.max(start + n, all.size() - 2); i < all.size(); i++) {
        out.add(bytes(all.get(i)));
      }
    }
    recipe.append("fixture[").append(start).append('+').append(n).append(']');
    return out;
  }

  private static List<byte[]> synthesized(Random r, StringBuilder recipe) {
    List<byte[]> out = new ArrayList<>();
    int n = r.nextInt(20);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(6)) {
        case 0, 1 -> out.add(bytes(chunk("{\"content\":" + jsonString(randomText(r)) + "}", null, false)));
        case 2 -> out.add(bytes(chunk("{\"reasoning\":" + jsonString(randomText(r)) + "}", null, false)));
        case 3 -> out.add(bytes(chunk("{\"tool_calls\":[{\"index\":" + r.nextInt(3) + ",\"id\":\"call_" + r.nextInt(9)
            + "\",\"function\":{\"name\":\"f\",\"arguments\":" + jsonString(randomText(r)) + "}}]}", null, false)));
        case 4 -> out.add(bytes(": keep-alive\n\n"));
        default -> out.add(bytes("data: " + WRONG_SHAPES[r.nextInt(WRONG_SHAPES.length)] + "\n\n"));
      }
    }
    switch (r.nextInt(5)) {
      case 0 -> out.add(bytes(chunk("{}", "stop", true) + "data: [DONE]\n\n"));
      case 1 -> out.add(bytes(chunk("{}", "length", false) + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,"
          + "\"completion_tokens\":4,\"total_tokens\":7}}\n\ndata: [DONE]\n\n"));
      case 2 -> out.add(bytes("event: error\ndata: {\"error\":{\"message\":\"boom\",\"type\":\"internal_server_error\","
          + "\"status_code\":500}}\n\n"));
      case 3 -> out.add(bytes("data: [DONE]\n\n"));
      default -> { } // no ending: the body just ends
    }
    recipe.append("synth[").append(out.size()).append(']');
    return out;
  }

  // ------------------------------------------------------------------ mutations

  private static void mutateEvents(Random r, List<byte[]> events, StringBuilder recipe) {
    int at = events.isEmpty() ? 0 : r.nextInt(events.size() + 1);
    switch (r.nextInt(8)) {
      case 0 -> {
        if (!events.isEmpty()) {
          int i = r.nextInt(events.size());
          events.add(at, events.get(i).clone());
          recipe.append(" dup");
        }
      }
      case 1 -> {
        int len = MAX_LINE + 1 + r.nextInt(MAX_LINE);
        String prefix = r.nextBoolean() ? "data: " : r.nextBoolean() ? ": " : "event: ";
        events.add(at, bytes(prefix + "x".repeat(len) + "\n\n"));
        recipe.append(" hugeLine");
      }
      case 2 -> {
        StringBuilder many = new StringBuilder();
        int lines = MAX_EVENT / 1000 + 1 + r.nextInt(4);
        for (int k = 0; k < lines; k++) {
          many.append("data: ").append("y".repeat(1000)).append('\n');
        }
        events.add(at, bytes(many.append('\n').toString()));
        recipe.append(" hugeEvent");
      }
      case 3 -> {
        byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}};
        byte[] b = bad[r.nextInt(bad.length)];
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        e.writeBytes(bytes("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a"));
        e.writeBytes(b);
        e.writeBytes(bytes("b\"}}]}\n\n"));
        events.add(at, e.toByteArray());
        recipe.append(" badUtf8");
      }
      case 4 -> {
        if (!events.isEmpty()) {
          int i = r.nextInt(events.size());
          events.set(i, insertLine(r, events.get(i), FIELD_LINES[r.nextInt(FIELD_LINES.length)]));
        } else {
          events.add(bytes(FIELD_LINES[r.nextInt(FIELD_LINES.length)]));
        }
        recipe.append(" fieldLine");
      }
      case 5 -> {
        String shape = WRONG_SHAPES[r.nextInt(WRONG_SHAPES.length)];
        if (!events.isEmpty() && r.nextBoolean()) {
          events.set(r.nextInt(events.size()), bytes("data: " + shape + "\n\n"));
        } else {
          events.add(at, bytes("data: " + shape + "\n\n"));
        }
        recipe.append(" wrongShape");
      }
      case 6 -> {
        if (!events.isEmpty()) {
          events.remove(r.nextInt(events.size()));
          recipe.append(" drop");
        }
      }
      default -> {
        if (r.nextBoolean()) {
          events.add(at, bytes("data: " + "[".repeat(1001 + r.nextInt(500)) + "\n\n"));
          recipe.append(" deepJson");
        } else {
          events.add(at, bytes("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":" + "9".repeat(1001 + r.nextInt(500)) + "}}\n\n"));
          recipe.append(" longNumber");
        }
      }
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] insertLine(Random r, byte[] event, String line) {
    String s = new String(event, StandardCharsets.ISO_8859_1);
    int nl = s.indexOf('\n');
    int at = nl < 0 || r.nextBoolean() ? 0 : nl + 1;
    return (s.substring(0, at) + line + s.substring(at)).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] lineEnds(Random r, byte[] in, StringBuilder recipe) {
    String s = new String(in, StandardCharsets.ISO_8859_1);
    String to = r.nextBoolean() ? "\r\n" : "\r";
    recipe.append(to.length() == 2 ? " crlf" : " cr");
    return s.replace("\n", to).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] mutateBytes(Random r, byte[] in, StringBuilder recipe) {
    if (in.length == 0) {
      return in;
    }
    switch (r.nextInt(3)) {
      case 0 -> {
        byte[] out = in.clone();
        int flips = 1 + r.nextInt(5);
        for (int k = 0; k < flips; k++) {
          int i = r.nextInt(out.length);
          out[i] = r.nextBoolean() ? (byte) (out[i] ^ (1 << r.nextInt(8))) : (byte) r.nextInt(256);
        }
        recipe.append(" flip").append(flips);
        return out;
      }
      case 1 -> {
        int n = r.nextInt(in.length);
        recipe.append(" truncate@").append(n);
        return java.util.Arrays.copyOf(in, n);
      }
      default -> {
        int from = r.nextInt(in.length);
        int len = Math.min(in.length - from, 1 + r.nextInt(200));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = r.nextInt(in.length);
        out.write(in, 0, at);
        out.write(in, from, len);
        out.write(in, at, in.length - at);
        recipe.append(" splice");
        return out.toByteArray();
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  static String chunk(String delta, String finish, boolean groqUsage) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":" + delta
        + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]"
        + (groqUsage ? ",\"x_groq\":{\"id\":\"req_f\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,"
            + "\"total_tokens\":8}}" : "")
        + "}\n\n";
  }

  private static String randomText(Random r) {
    String[] parts = {"a", " word", "é", "日本", "😀", "\n", "\"", "\\", "\t", "<think>", "\u2028", "x".repeat(50)};
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      b.append(parts[r.nextInt(parts.length)]);
    }
    return b.toString();
  }

  static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] join(List<byte[]> events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] e : events) {
      out.writeBytes(e);
    }
    return out.toByteArray();
  }

  private static List<List<String>> loadFixtures() {
    List<List<String>> all = new ArrayList<>();
    for (String name : Fixtures.names()) {
      String sse = new String(Fixtures.bytes(name + ".sse"), StandardCharsets.UTF_8);
      List<String> events = new ArrayList<>();
      for (String e : sse.split("\n\n")) {
        if (!e.isBlank()) {
          events.add(e + "\n\n");
        }
      }
      all.add(events);
    }
    if (all.isEmpty()) {
      throw new IllegalStateException("no recorded fixtures found in " + Fixtures.dir());
    }
    return all;
  }
}
