package dev.llmstream.benchmarks.plain;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.llmstream.benchmarks.harness.GroqChunks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The plain harness's server: the JDK's {@code com.sun.net.httpserver.HttpServer} on 127.0.0.1 with
 * {@code TCP_NODELAY} (system property {@value #NODELAY}, set here before the server is created: the JDK
 * reads it once, when the first server of the JVM is built). Two modes, switched by the harness between
 * phases (requests are sequential):
 *
 * <ul>
 *   <li>{@link Mode#THROUGHPUT}: the pre-built body (role chunk, {@code tokens} content chunks, the final
 *       chunk, {@code [DONE]}) written with one {@code write} call; {@code HttpServer} frames it as a
 *       chunked response (its chunks are 4 KiB: an SSE server does not know its length);
 *   <li>{@link Mode#FIRST_TOKEN}: the role chunk, flushed; {@code gapMs} of quiet; then the first content
 *       chunk, flushed, its write time ({@code System.nanoTime()} just before the write) kept for
 *       {@link #lastTokenWriteNanos()}; then the final chunk and {@code [DONE]}.
 * </ul>
 *
 * Handlers run on one executor thread of the server's own.
 */
final class PlainServer implements AutoCloseable {
  /** The JDK property that turns {@code TCP_NODELAY} on for the server's accepted connections. */
  static final String NODELAY = "sun.net.httpserver.nodelay";

  /** What the next request is answered with. */
  enum Mode {
    THROUGHPUT,
    FIRST_TOKEN
  }

  private final HttpServer server;
  private final ExecutorService handlers;
  private final byte[] body;
  private final byte[] role = GroqChunks.sseRole();
  private final byte[] firstToken = GroqChunks.sseContent(GroqChunks.token(0));
  private final byte[] tail = concat(GroqChunks.sseFinish(), GroqChunks.sseDone());
  private final long gapNanos;
  private final AtomicLong tokenWrittenAt = new AtomicLong();
  private volatile Mode mode = Mode.THROUGHPUT;

  PlainServer(int tokens, long gapMs) throws IOException {
    System.setProperty(NODELAY, "true");
    this.body = GroqChunks.sseAnswer(tokens);
    this.gapNanos = TimeUnit.MILLISECONDS.toNanos(gapMs);
    this.handlers =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "plain-server");
              t.setDaemon(true);
              return t;
            });
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The base URL the clients are given ({@code /chat/completions} is appended by each). */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** The size of the throughput body in bytes. */
  int bodyBytes() {
    return body.length;
  }

  void mode(Mode m) {
    this.mode = m;
  }

  /** When the last first-token response's content chunk was written ({@code System.nanoTime()}), or 0. */
  long lastTokenWriteNanos() {
    return tokenWrittenAt.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
    }
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0); // chunked
    try (OutputStream out = exchange.getResponseBody()) {
      if (mode == Mode.THROUGHPUT) {
        out.write(body);
        return;
      }
      out.write(role);
      out.flush();
      try {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(gapNanos), (int) (gapNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted during the quiet before the first token", e);
      }
      tokenWrittenAt.set(System.nanoTime());
      out.write(firstToken);
      out.flush();
      out.write(tail);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
