package dev.llmstream.groq;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw HTTP/1.1 server on loopback that runs a script per connection, so tests control every byte and
 * observe when the client closes the connection. Test code: one thread per connection is fine here.
 */
final class ScriptedServer implements AutoCloseable {

  /** The script for one exchange; the request has been read (see {@link Exchange#requestBody}). */
  interface Script {
    void run(Exchange exchange) throws Exception;
  }

  private final ServerSocket socket;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "scripted-server");
    t.setDaemon(true);
    return t;
  });
  final AtomicInteger connections = new AtomicInteger();
  private volatile boolean closed;

  ScriptedServer(Script script) throws IOException {
    socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    pool.execute(() -> {
      while (!closed) {
        try {
          Socket s = socket.accept();
          connections.incrementAndGet();
          pool.execute(() -> {
            try (Socket c = s) {
              Exchange x = new Exchange(c);
              while (x.readRequest()) { // HTTP/1.1 keep-alive: the client may reuse the connection
                script.run(x);
              }
            } catch (Exception e) {
              // the client went away: normal for cancel tests
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  String baseUrl() {
    return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
  }

  @Override
  public void close() throws IOException {
    closed = true;
    socket.close();
    pool.shutdownNow();
  }

  /** One HTTP exchange on a connection. */
  static final class Exchange {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    String requestHead = "";
    String requestBody = "";

    Exchange(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    /** Reads the request head and its Content-Length body. Returns false at EOF. */
    boolean readRequest() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int state = 0;
      while (state < 4) {
        int b = in.read();
        if (b < 0) {
          return false;
        }
        head.write(b);
        state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      }
      requestHead = head.toString(StandardCharsets.ISO_8859_1);
      int length = 0;
      for (String line : requestHead.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      requestBody = new String(body, StandardCharsets.UTF_8);
      return true;
    }

    void startSse() throws IOException {
      startChunked(200, "text/event-stream");
    }

    void startChunked(int status, String contentType) throws IOException {
      out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: " + contentType
          + "\r\nTransfer-Encoding: chunked\r\nx-request-id: req_scripted\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    void chunk(String s) throws IOException {
      chunk(s.getBytes(StandardCharsets.UTF_8));
    }

    void chunk(byte[] b) throws IOException {
      if (b.length == 0) {
        return;
      }
      out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(b);
      out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    void end() throws IOException {
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /**
     * Writes a chunk, then blocks until the client closes the connection; true when it did (EOF or
     * reset), including when the client had already closed it before the chunk could be written.
     */
    boolean chunkThenAwaitClientClose(String s) {
      try {
        chunk(s);
      } catch (IOException e) {
        return true; // the write failed: the client closed the connection first
      }
      return awaitClientClose();
    }

    /** Blocks until the client closes the connection; true when it did (EOF or reset). */
    boolean awaitClientClose() {
      try {
        socket.setSoTimeout(30_000); // generous: a loaded machine; a failing test only waits longer
        while (in.read() >= 0) {
          // discard
        }
        return true;
      } catch (java.net.SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        return true;
      } catch (IOException e) {
        return true;
      }
    }
  }

  static String textChunk(String text) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
        + json(text) + "},\"finish_reason\":null}]}\n\n";
  }

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
}
