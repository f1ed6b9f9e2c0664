package dev.llmstream.benchmarks.harness;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where one HTTP/1.1 request ends in the bytes read so far (head, then a {@code Content-Length} or
 * chunked body): the request side of {@link LoopbackServer}, which only needs to know when a request is
 * whole, not what it says. Stateless.
 */
final class RequestFraming {
  private RequestFraming() {}

  /**
   * The end of the first complete request in {@code a[0, len)}.
   *
   * @return the index just past it, or -1 if it is not complete yet
   */
  static int end(byte[] a, int len) {
    int headEnd = indexOf(a, 0, len, "\r\n\r\n");
    if (headEnd < 0) {
      return -1;
    }
    String head = new String(a, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    int bodyStart = headEnd + 4;
    if (head.contains("\r\ntransfer-encoding: chunked")) {
      int last = indexOf(a, bodyStart, len, "0\r\n\r\n");
      return last < 0 ? -1 : last + 5;
    }
    int i = head.indexOf("\r\ncontent-length:");
    long contentLength = 0;
    if (i >= 0) {
      int j = head.indexOf("\r\n", i + 2);
      contentLength = Long.parseLong(head.substring(i + 17, j < 0 ? head.length() : j).trim());
    }
    return len - bodyStart < contentLength ? -1 : bodyStart + (int) contentLength;
  }

  private static int indexOf(byte[] a, int from, int to, String pattern) {
    outer:
    for (int i = from; i + pattern.length() <= to; i++) {
      for (int k = 0; k < pattern.length(); k++) {
        if (a[i + k] != pattern.charAt(k)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
