package dev.llmstream.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.llmstream.web.jdk.JdkSseAdapter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A minimal application on the JDK adapter for the tests: {@code GET /runs/{id}/events} and
 * {@code POST /runs/{id}/stop}, the owner from the {@code X-Owner} header (absent = a stranger).
 */
final class JdkRelayServer implements AutoCloseable {
  final HttpServer http;
  final ExecutorService handlers = Executors.newFixedThreadPool(2);
  final ExecutorService writers;
  final AnswerRuns runs;

  JdkRelayServer(AnswerRuns runs, int writerThreads) throws IOException {
    this.runs = runs;
    this.writers = Executors.newFixedThreadPool(writerThreads);
    JdkSseAdapter sse = JdkSseAdapter.create(runs, writers);
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 2048);
    http.setExecutor(handlers);
    http.createContext(
        "/runs/",
        ex -> {
          String[] parts = ex.getRequestURI().getPath().split("/"); // "", runs, id, action
          String owner = ex.getRequestHeaders().getFirst("X-Owner");
          String who = owner == null ? "nobody" : owner;
          if (parts.length == 4 && parts[3].equals("events")) {
            sse.serve(ex, who, parts[2]);
          } else if (parts.length == 4 && parts[3].equals("stop")) {
            StopResult r = runs.stop(who, parts[2]).toCompletableFuture().join();
            send(ex, r == StopResult.NOT_FOUND ? 404 : 200, r.name());
          } else {
            send(ex, 404, "not found");
          }
        });
    http.start();
  }

  String base() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    runs.close();
    http.stop(0);
    handlers.shutdownNow();
    writers.shutdownNow();
  }
}
