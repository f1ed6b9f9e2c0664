package dev.llmstream.testkit.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The bytes a {@link LoopbackServer} connection has read and not yet answered, and the HTTP/1.1 request
 * parser over them: request line, headers, {@code Content-Length} or chunked body; pipelined requests are
 * taken one at a time, in order. Not thread-safe: the connection guards it.
 */
final class RequestBuffer {
  private byte[] in = new byte[8 * 1024];
  private int inLen;

  /** Appends {@code n} bytes read from the socket. */
  void append(byte[] data, int n) {
    if (inLen + n > in.length) {
      in = Arrays.copyOf(in, Math.max(in.length * 2, inLen + n));
    }
    System.arraycopy(data, 0, in, inLen, n);
    inLen += n;
  }

  /** Bytes buffered and not yet taken. */
  int length() {
    return inLen;
  }

  /**
   * Parses the first request in the buffer and consumes it.
   *
   * @return the request, or {@code null} if it is not complete yet
   */
  @Nullable ParsedRequest take() {
    int headEnd = indexOf(in, inLen, new byte[] {'\r', '\n', '\r', '\n'});
    if (headEnd < 0) {
      return null;
    }
    String head = new String(in, 0, headEnd, StandardCharsets.ISO_8859_1);
    String[] lines = head.split("\r\n");
    String[] requestLine = lines[0].split(" ");
    if (requestLine.length < 2) {
      return null;
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
    }
    int bodyStart = headEnd + 4;
    byte[] body;
    int consumed;
    String te = first(headers, "transfer-encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      ByteArrayOutputStream decoded = new ByteArrayOutputStream();
      int p = bodyStart;
      while (true) {
        int lineEnd = indexOf(in, inLen, p, new byte[] {'\r', '\n'});
        if (lineEnd < 0) {
          return null;
        }
        String sizeLine = new String(in, p, lineEnd - p, StandardCharsets.ISO_8859_1);
        int semi = sizeLine.indexOf(';');
        int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
        p = lineEnd + 2;
        if (size == 0) {
          int trailerEnd = indexOf(in, inLen, p, new byte[] {'\r', '\n'});
          if (trailerEnd < 0) {
            return null;
          }
          consumed = trailerEnd + 2;
          break;
        }
        if (p + size + 2 > inLen) {
          return null;
        }
        decoded.write(in, p, size);
        p += size + 2;
      }
      body = decoded.toByteArray();
    } else {
      String cl = first(headers, "content-length");
      int length = cl == null ? 0 : Integer.parseInt(cl.trim());
      if (inLen < bodyStart + length) {
        return null;
      }
      body = Arrays.copyOfRange(in, bodyStart, bodyStart + length);
      consumed = bodyStart + length;
    }
    System.arraycopy(in, consumed, in, 0, inLen - consumed);
    inLen -= consumed;
    return new ParsedRequest(requestLine[0], requestLine[1], headers, body);
  }

  static @Nullable String first(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static int indexOf(byte[] a, int len, byte[] pattern) {
    return indexOf(a, len, 0, pattern);
  }

  private static int indexOf(byte[] a, int len, int from, byte[] pattern) {
    outer:
    for (int i = from; i <= len - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (a[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
