package dev.llmstream.web.jdk;

import com.sun.net.httpserver.HttpExchange;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.RunReader;
import dev.llmstream.web.SseRequests;
import dev.llmstream.web.SseSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a run's events on the JDK's {@code HttpServer}.
 *
 * <pre>{@code
 * JdkSseAdapter sse = JdkSseAdapter.create(runs, writers);   // writers: a small fixed pool
 * server.createContext("/api/runs/", ex -> sse.serve(ex, ownerOf(ex), runIdOf(ex)));
 * }</pre>
 *
 * <p><b>Threads.</b> {@link #serve} returns at once: the handler thread is not kept, and no thread waits
 * for the answer. The JDK server's response stream only has blocking writes, so each write runs as a short
 * task on the {@code writers} executor you give (a fixed pool of a few threads serves thousands of
 * connections: a write normally lands in the socket's send buffer at once). That is why this is not fully
 * non-blocking: a client that stops reading with a full TCP window keeps one writer thread in its write
 * until the operating system gives up on the connection. The relay never queues for such a client (it
 * writes one batch at a time), but for untrusted networks at scale prefer the Servlet adapter
 * ({@link dev.llmstream.web.servlet.ServletSse}), whose writes never block.
 *
 * <p><b>Close detection.</b> The JDK server does not report a client's close; the relay sees it when a
 * write fails, at the latest at the next heartbeat.
 *
 * <p>Thread-safe and stateless beyond its configuration.
 */
@SuppressWarnings("exports") // jdk.httpserver is required by the application that calls this (see module-info)
public final class JdkSseAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(JdkSseAdapter.class);
  private static final String CLIENT_SCRIPT = "/META-INF/resources/llmstream.js";

  private final AnswerRuns runs;
  private final Executor writers;

  private JdkSseAdapter(AnswerRuns runs, Executor writers) {
    this.runs = runs;
    this.writers = writers;
  }

  /**
   * Creates the adapter.
   *
   * @param runs the runs to serve
   * @param writers where blocking writes run (a small fixed pool; not shut down by the adapter)
   * @return the adapter
   */
  public static JdkSseAdapter create(AnswerRuns runs, Executor writers) {
    return new JdkSseAdapter(Objects.requireNonNull(runs, "runs"), Objects.requireNonNull(writers, "writers"));
  }

  /**
   * Answers an events request: {@code 400} for a malformed resume point, {@code 404} for an unknown run or
   * another owner's, {@code 204} when the client already has the whole run, else the event stream. Takes
   * over the exchange: the handler must not close it.
   *
   * @param ex the exchange ({@code GET})
   * @param owner the caller's owner
   * @param runId the run id from the path
   */
  public void serve(HttpExchange ex, String owner, String runId) {
    long after;
    try {
      after = SseRequests.resumeAfter(
          ex.getRequestHeaders().getFirst("Last-Event-ID"), queryParam(ex.getRequestURI(), "after"));
    } catch (IllegalArgumentException e) {
      sendError(ex, 400, e.getMessage());
      return;
    }
    runs.open(owner, runId, after)
        .whenComplete(
            (reader, err) -> {
              if (err != null) {
                LOG.warn("Opening run events failed", err);
                sendError(ex, 500, "the event stream could not be opened; try again");
              } else if (reader.isEmpty()) {
                sendError(ex, 404, "no such answer");
              } else {
                stream(ex, reader.get());
              }
            });
  }

  private void stream(HttpExchange ex, RunReader reader) {
    try {
      if (!reader.hasMore()) {
        ex.sendResponseHeaders(204, -1);
        ex.close();
        return;
      }
      for (Map.Entry<String, String> h : RunReader.HEADERS.entrySet()) {
        ex.getResponseHeaders().set(h.getKey(), h.getValue());
      }
      ex.sendResponseHeaders(200, 0);
    } catch (IOException e) {
      ex.close();
      return;
    }
    reader.start(new ExchangeSink(ex));
  }

  /**
   * Serves {@code llmstream.js} (from this module's {@code META-INF/resources}), or {@code 404} if it is
   * missing. Closes the exchange.
   *
   * @param ex the exchange
   */
  public static void serveClientScript(HttpExchange ex) {
    try (InputStream in = JdkSseAdapter.class.getResourceAsStream(CLIENT_SCRIPT)) {
      if (in == null) {
        sendError(ex, 404, "llmstream.js is not on the classpath");
        return;
      }
      byte[] body = in.readAllBytes();
      ex.getResponseHeaders().set("Content-Type", "text/javascript; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException e) {
      LOG.debug("Serving llmstream.js failed: {}", e.toString());
    } finally {
      ex.close();
    }
  }

  private static void sendError(HttpExchange ex, int status, String message) {
    byte[] body =
        ("{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    try {
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      ex.sendResponseHeaders(status, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException e) {
      LOG.debug("Error response failed: {}", e.toString());
    } finally {
      ex.close();
    }
  }

  private static @Nullable String queryParam(URI uri, String name) {
    String q = uri.getRawQuery();
    if (q == null) {
      return null;
    }
    for (String part : q.split("&")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).equals(name)) {
        return part.substring(eq + 1);
      }
    }
    return null;
  }

  /**
   * The exchange's body as a sink: each write is one task on the writer pool. The exchange is closed
   * once, after any write in flight (the exchange is not used by two threads at once).
   */
  private final class ExchangeSink implements SseSink {
    private final HttpExchange ex;
    private final OutputStream out;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final AtomicBoolean exchangeClosed = new AtomicBoolean();

    ExchangeSink(HttpExchange ex) {
      this.ex = ex;
      this.out = ex.getResponseBody();
    }

    @Override
    public void write(byte[] bytes, Consumer<@Nullable Throwable> done) {
      inFlight.set(true);
      try {
        writers.execute(
            () -> {
              Throwable failure = null;
              try {
                if (closeRequested.get()) {
                  throw new IOException("connection closed");
                }
                out.write(bytes);
                out.flush();
              } catch (IOException | RuntimeException e) {
                failure = e;
              } finally {
                inFlight.set(false);
                if (closeRequested.get()) {
                  closeNow();
                }
              }
              done.accept(failure);
            });
      } catch (RejectedExecutionException e) {
        inFlight.set(false);
        done.accept(e);
      }
    }

    @Override
    public void close() {
      if (closeRequested.getAndSet(true) || inFlight.get()) {
        return; // the write in flight closes it when it ends
      }
      try {
        writers.execute(this::closeNow); // closing writes the chunked trailer: not on the caller's thread
      } catch (RejectedExecutionException e) {
        closeNow();
      }
    }

    private void closeNow() {
      if (exchangeClosed.compareAndSet(false, true)) {
        ex.close();
      }
    }
  }
}
