package dev.llmstream.groq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseScannerTest {

  /** Buffer kinds the scanner reads: heap arrays, read-only heap (what java.net.http hands out), direct. */
  private enum Kind {
    ARRAY,
    READ_ONLY,
    DIRECT
  }

  private static ByteBuffer buffer(Kind kind, byte[] input, int from, int n) {
    ByteBuffer b = ByteBuffer.wrap(input, from, n).slice();
    switch (kind) {
      case READ_ONLY:
        return b.asReadOnlyBuffer();
      case DIRECT:
        ByteBuffer d = ByteBuffer.allocateDirect(n + 3);
        d.position(3); // not at index 0, as a pooled buffer would be
        d.put(b);
        d.position(3);
        return d;
      default:
        return b;
    }
  }

  /** Scans with every buffer kind and checks they agree. */
  private static List<String> scanSplitAt(byte[] input, int... cuts) {
    List<String> array = scanSplitAt(Kind.ARRAY, input, cuts);
    assertThat(scanSplitAt(Kind.READ_ONLY, input, cuts)).as("read-only buffers").isEqualTo(array);
    assertThat(scanSplitAt(Kind.DIRECT, input, cuts)).as("direct buffers").isEqualTo(array);
    return array;
  }

  private static List<String> scanSplitAt(Kind kind, byte[] input, int... cuts) {
    SseScanner s = new SseScanner(1 << 20);
    List<String> events = new ArrayList<>();
    SseScanner.Listener l =
        (type, data, len) -> events.add((type == null ? "" : type + "|") + new String(data, 0, len, StandardCharsets.UTF_8));
    int from = 0;
    for (int cut : cuts) {
      s.feed(buffer(kind, input, from, cut - from), l);
      from = cut;
    }
    s.feed(buffer(kind, input, from, input.length - from), l);
    return events;
  }

  private static List<String> scan(String input) {
    return scanSplitAt(input.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void dataLinesCommentsAndFields() {
    String in =
        ": keep-alive\n"
            + "data: one\n\n"
            + "event: error\ndata: {\"e\":1}\n\n"
            + "id: 7\nretry: 1500\ndata: a\ndata: b\ndata:c\n\n"
            + "data\n\n"
            + "field-without-meaning: x\n\n"
            + ":only a comment\n\n";
    SseScanner s = new SseScanner(1024);
    List<String> events = new ArrayList<>();
    s.feed(
        ByteBuffer.wrap(in.getBytes(StandardCharsets.UTF_8)),
        (type, data, len) -> events.add(type + "|" + new String(data, 0, len, StandardCharsets.UTF_8)));
    assertThat(events).containsExactly("null|one", "error|{\"e\":1}", "null|a\nb\nc", "null|");
    assertThat(s.lastEventId()).isEqualTo("7");
    assertThat(s.retryMillis()).isEqualTo(1500);
  }

  @Test
  void crLfAndCrLineEnds() {
    assertThat(scan("data: x\r\n\r\ndata: y\r\rdata: z\n\n")).containsExactly("x", "y", "z");
    assertThat(scan("data: a\r\ndata: b\r\n\r\n")).containsExactly("a\nb");
  }

  @Test
  void crAtTheEndOfOneBufferAndLfAtTheStartOfTheNext() {
    byte[] in = "data: x\r\n\r\ndata: y\r\n\r\n".getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= in.length; cut++) {
      assertThat(scanSplitAt(in, cut)).as("cut at %d", cut).containsExactly("x", "y");
    }
  }

  @Test
  void everySplitOfMultiByteCharactersDecodesTheSame() {
    String text = "é€😀 日本語";
    String in = "data: {\"t\":\"" + text + "\"}\r\n\r\n: ping\n\ndata: 2€\n\n";
    byte[] bytes = in.getBytes(StandardCharsets.UTF_8);
    List<String> expected = List.of("{\"t\":\"" + text + "\"}", "2€");
    for (int a = 0; a <= bytes.length; a++) {
      assertThat(scanSplitAt(bytes, a)).as("cut at %d", a).isEqualTo(expected);
      for (int b = a; b <= Math.min(bytes.length, a + 5); b++) {
        assertThat(scanSplitAt(bytes, a, b)).as("cuts at %d,%d", a, b).isEqualTo(expected);
      }
    }
  }

  @Test
  void byteByByte() {
    byte[] in = "event: e\ndata: ü\n\n".getBytes(StandardCharsets.UTF_8);
    int[] cuts = new int[in.length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    assertThat(scanSplitAt(in, cuts)).containsExactly("e|ü");
  }

  @Test
  void incompleteEventAtTheEndIsDiscarded() {
    SseScanner s = new SseScanner(1024);
    List<String> events = new ArrayList<>();
    s.feed(ByteBuffer.wrap("data: a\n\ndata: partial".getBytes(StandardCharsets.UTF_8)),
        (t, d, n) -> events.add(new String(d, 0, n, StandardCharsets.UTF_8)));
    assertThat(s.end()).isTrue();
    assertThat(events).containsExactly("a");
  }

  @Test
  void tooLongLineFailsWithoutGrowing() {
    SseScanner s = new SseScanner(1024);
    byte[] big = new byte[700];
    java.util.Arrays.fill(big, (byte) 'x');
    s.feed(ByteBuffer.wrap("data: ".getBytes(StandardCharsets.US_ASCII)), (t, d, n) -> {});
    s.feed(ByteBuffer.wrap(big), (t, d, n) -> {});
    assertThatThrownBy(() -> s.feed(ByteBuffer.wrap(big), (t, d, n) -> {}))
        .isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.LIMIT_EXCEEDED)
        .hasMessageContaining("maxLineLength (1024 bytes)");
  }

  @Test
  void aTooLongLineWholeInOneBufferFailsForEveryBufferKindAndField() {
    // whole lines are read in place (arrays) or straight into the event (data lines of other buffers):
    // the line limit must hold on those paths too
    for (Kind kind : Kind.values()) {
      for (String field : List.of("data: ", "data:", "event: ", "id: ")) {
        byte[] line = (": hi\n" + field + "x".repeat(1100) + "\n\n").getBytes(StandardCharsets.US_ASCII);
        SseScanner s = new SseScanner(1024);
        assertThatThrownBy(() -> s.feed(buffer(kind, line, 0, line.length), (t, d, n) -> {}))
            .as(kind + " " + field)
            .isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.LIMIT_EXCEEDED)
            .hasMessageContaining("maxLineLength (1024 bytes)");
      }
    }
  }

  @Test
  void fieldsWithAndWithoutTheirSpaceOrColonReadTheSameInEveryBufferKind() {
    // "data" alone is a data field with an empty value; "data:x" has no space; a "datax:" field is unknown
    assertThat(scan(": c\ndata:a\ndata: b\ndata\ndatax: no\n\ndata:  two spaces\n\n"))
        .containsExactly("a\nb\n", " two spaces");
  }

  @Test
  void tooLongEventOfManyShortLinesFails() {
    SseScanner s = new SseScanner(1024);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      b.append("data: 0123456789\n");
    }
    assertThatThrownBy(() -> s.feed(ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.US_ASCII)), (t, d, n) -> {}))
        .isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.LIMIT_EXCEEDED)
        .hasMessageContaining("event");
  }

  @Test
  void directBuffersWork() {
    byte[] in = "data: direct\n\n".getBytes(StandardCharsets.UTF_8);
    ByteBuffer direct = ByteBuffer.allocateDirect(in.length);
    direct.put(in).flip();
    List<String> events = new ArrayList<>();
    new SseScanner(1024).feed(direct, (t, d, n) -> events.add(new String(d, 0, n, StandardCharsets.UTF_8)));
    assertThat(events).containsExactly("direct");
    assertThat(direct.hasRemaining()).isFalse();
  }

  @Test
  void oneLeadingByteOrderMarkIsSkippedWhereverTheReadsSplitIt() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = "data: first\n\ndata: second\n\n".getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, input, 0, 3);
    System.arraycopy(body, 0, input, 3, body.length);
    for (int cut = 0; cut <= 4; cut++) {
      assertThat(scanSplitAt(input, cut)).as("cut at %d", cut).containsExactly("first", "second");
    }
    // only at the very start: a BOM later in the stream is part of the line (an unknown field here)
    byte[] later = "data: a\n\n\uFEFFdata: b\n\n".getBytes(StandardCharsets.UTF_8);
    assertThat(scanSplitAt(later)).containsExactly("a");
  }

  @Test
  void gzipAndDeflateBodiesInflateToTheSameEventsHoweverTheyAreSplit() throws Exception {
    byte[] plain = "data: one\n\n: keep-alive\n\ndata: two\n\n".repeat(50).getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    // two gzip members, the first with a file name and an extra field in its header
    gz.write(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8, 0, 0, 0, 0, 0, (byte) 0xff, 3, 0, 'x', 'y', 'z'});
    gz.write("name.txt\0".getBytes(StandardCharsets.ISO_8859_1));
    java.util.zip.Deflater raw = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, true);
    int half = plain.length / 2;
    raw.setInput(plain, 0, half);
    raw.finish();
    byte[] buf = new byte[plain.length + 64];
    int n = raw.deflate(buf);
    raw.end();
    gz.write(buf, 0, n);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(plain, 0, half);
    gz.write(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).putInt(half).array());
    try (java.util.zip.GZIPOutputStream o = new java.util.zip.GZIPOutputStream(gz)) {
      o.write(plain, half, plain.length - half);
    }
    byte[] gzip = gz.toByteArray();
    java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
    try (java.util.zip.DeflaterOutputStream o = new java.util.zip.DeflaterOutputStream(z)) {
      o.write(plain);
    }
    List<String> expected = scanSplitAt(plain);
    for (Object[] c : new Object[][] {{"gzip", gzip}, {"deflate", z.toByteArray()}}) {
      for (int step : new int[] {1, 3, 17, 4096}) {
        byte[] data = (byte[]) c[1];
        BodyInflater inf = BodyInflater.forEncoding((String) c[0]);
        SseScanner scanner = new SseScanner(1024);
        List<String> got = new ArrayList<>();
        for (int i = 0; i < data.length; i += step) {
          inf.inflate(ByteBuffer.wrap(data, i, Math.min(step, data.length - i)).asReadOnlyBuffer(),
              (b, from, to) -> scanner.scan(b, from, to, (type, d, len) -> got.add(new String(d, 0, len, StandardCharsets.UTF_8))));
        }
        inf.close();
        assertThat(got).as("%s in steps of %d", c[0], step).isEqualTo(expected).hasSize(100);
      }
    }
  }

  @Test
  void unknownOrCorruptEncodingsAreProtocolErrorsNamingThem() {
    assertThat(BodyInflater.forEncoding(null)).isNull();
    assertThat(BodyInflater.forEncoding("identity")).isNull();
    assertThatThrownBy(() -> BodyInflater.forEncoding("br")).isInstanceOf(StreamException.class)
        .hasMessageContaining("'br'").extracting(e -> ((StreamException) e).kind()).isEqualTo(ErrorKind.PROTOCOL);
    assertThatThrownBy(() -> BodyInflater.forEncoding("gzip, zstd")).hasMessageContaining("zstd");
    BodyInflater inf = BodyInflater.forEncoding("gzip");
    assertThatThrownBy(() -> inf.inflate(ByteBuffer.wrap("data: x\n\n".repeat(3).getBytes(StandardCharsets.US_ASCII)),
        (b, f, t) -> { })).isInstanceOf(StreamException.class).hasMessageContaining("gzip")
        .extracting(e -> ((StreamException) e).kind()).isEqualTo(ErrorKind.PROTOCOL);
    inf.close();
  }

  @Test
  void redirectsAreFollowedOnlyTo307Or308OnTheSameOrigin() {
    java.net.URI from = java.net.URI.create("https://api.example.com/openai/v1/chat/completions");
    assertThat(Redirects.refusal(307, from, Redirects.resolve(from, "/v2/chat/completions"), 0, 3)).isNull();
    assertThat(Redirects.refusal(308, from, Redirects.resolve(from, "https://API.example.com:443/x"), 0, 3)).isNull();
    assertThat(Redirects.refusal(307, from, Redirects.resolve(from, "http://api.example.com/x"), 0, 3)).contains("another origin");
    assertThat(Redirects.refusal(307, from, Redirects.resolve(from, "https://api.example.com:8443/x"), 0, 3)).contains("another origin");
    assertThat(Redirects.refusal(307, from, Redirects.resolve(from, "https://evil.example.net/x"), 0, 3)).contains("another origin");
    assertThat(Redirects.refusal(301, from, Redirects.resolve(from, "/x"), 0, 3)).contains("301");
    assertThat(Redirects.refusal(307, from, Redirects.resolve(from, null), 0, 3)).contains("missing");
    assertThat(Redirects.refusal(307, from, Redirects.resolve(from, "/x"), 3, 3)).contains("more than 3");
  }
}
