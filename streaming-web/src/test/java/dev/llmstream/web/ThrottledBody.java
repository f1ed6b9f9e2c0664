package dev.llmstream.web;

import dev.llmstream.web.testing.CollectingSink;
import dev.llmstream.web.testing.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Reads a chunked HTTP/1.1 response body slowly, then to the done event. */
final class ThrottledBody {
  private final InputStream in;
  private final ByteArrayOutputStream raw = new ByteArrayOutputStream();

  ThrottledBody(InputStream in) {
    this.in = in;
  }

  void readSome(int n) throws IOException {
    byte[] b = new byte[n];
    int r = in.read(b);
    if (r > 0) {
      raw.write(b, 0, r);
    }
  }

  List<SseClient.Event> readToDone() throws IOException {
    byte[] b = new byte[65536];
    while (!endsWithLastChunk()) {
      int r = in.read(b);
      if (r < 0) {
        break;
      }
      raw.write(b, 0, r);
    }
    String all = new String(raw.toByteArray(), StandardCharsets.UTF_8);
    String body = dechunk(all.substring(all.indexOf("\r\n\r\n") + 4));
    CollectingSink parsed = new CollectingSink();
    parsed.write(body.getBytes(StandardCharsets.UTF_8), x -> {});
    return parsed.events();
  }

  private boolean endsWithLastChunk() {
    byte[] all = raw.toByteArray();
    String tail = new String(all, Math.max(0, all.length - 7), Math.min(7, all.length), StandardCharsets.ISO_8859_1);
    return tail.endsWith("\r\n0\r\n\r\n");
  }

  private static String dechunk(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (true) {
      int eol = s.indexOf("\r\n", i);
      int size = Integer.parseInt(s.substring(i, eol).trim(), 16);
      if (size == 0) {
        return out.toString();
      }
      // sizes count bytes: cut by bytes
      byte[] rest = s.substring(eol + 2).getBytes(StandardCharsets.UTF_8);
      String chunk = new String(rest, 0, size, StandardCharsets.UTF_8);
      out.append(chunk);
      i = eol + 2 + chunk.length() + 2;
    }
  }
}
