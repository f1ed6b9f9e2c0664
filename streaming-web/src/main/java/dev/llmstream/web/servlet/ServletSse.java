package dev.llmstream.web.servlet;

import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.RunReader;
import dev.llmstream.web.SseConnection;
import dev.llmstream.web.SseRequests;
import dev.llmstream.web.SseSink;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a run's events from a Servlet 6 container with async I/O: the request goes async at once (no
 * container thread is held), and every write goes through a non-blocking {@link WriteListener}, so a slow
 * client costs one pending batch and no thread.
 *
 * <pre>{@code
 * @WebServlet(urlPatterns = "/api/runs/*", asyncSupported = true)
 * public class RunEventsServlet extends HttpServlet {
 *   protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
 *     String runId = req.getPathInfo().split("/")[1];      // /api/runs/{id}/events
 *     ServletSse.serve(req, resp, runs, ownerOf(req), runId);
 *   }
 * }
 * }</pre>
 *
 * <p>The servlet (and its filters) must be {@code asyncSupported}. The client's close is seen when the
 * container reports it (an error on the async context or the write listener), at the latest when the next
 * heartbeat fails. Stateless and thread-safe.
 */
@SuppressWarnings("exports") // jakarta.servlet is required by the application that calls this (see module-info)
public final class ServletSse {
  private static final Logger LOG = LoggerFactory.getLogger(ServletSse.class);

  private ServletSse() {
    throw new AssertionError("no instances");
  }

  /**
   * Answers an events request: {@code 400} for a malformed resume point, {@code 404} for an unknown run or
   * another owner's, {@code 204} when the client already has the whole run, else the event stream.
   *
   * @param req the request ({@code GET}; {@code Last-Event-ID} header or {@code after} parameter)
   * @param resp the response
   * @param runs the runs
   * @param owner the caller's owner
   * @param runId the run id
   */
  public static void serve(
      HttpServletRequest req, HttpServletResponse resp, AnswerRuns runs, String owner, String runId) {
    Objects.requireNonNull(runs, "runs");
    long after;
    try {
      after = SseRequests.resumeAfter(req.getHeader("Last-Event-ID"), req.getParameter("after"));
    } catch (IllegalArgumentException e) {
      error(resp, 400, e.getMessage());
      return;
    }
    AsyncContext ctx = req.startAsync();
    ctx.setTimeout(0); // the relay's heartbeats keep the stream alive; it ends with the run
    runs.open(owner, runId, after)
        .whenComplete(
            (reader, err) -> {
              if (err != null) {
                LOG.warn("Opening run events failed", err);
                error(resp, 500, "the event stream could not be opened; try again");
                ctx.complete();
              } else if (reader.isEmpty()) {
                error(resp, 404, "no such answer");
                ctx.complete();
              } else if (!reader.get().hasMore()) {
                resp.setStatus(204);
                ctx.complete();
              } else {
                stream(ctx, resp, reader.get());
              }
            });
  }

  private static void stream(AsyncContext ctx, HttpServletResponse resp, RunReader reader) {
    resp.setStatus(200);
    for (Map.Entry<String, String> h : RunReader.HEADERS.entrySet()) {
      resp.setHeader(h.getKey(), h.getValue());
    }
    ServletOutputStream out;
    try {
      out = resp.getOutputStream();
    } catch (IOException e) {
      ctx.complete();
      return;
    }
    AsyncSink sink = new AsyncSink(ctx, out);
    SseConnection c = reader.start(sink);
    sink.connection = c;
    ctx.addListener(
        new AsyncListener() {
          @Override
          public void onComplete(AsyncEvent event) {
            c.clientClosed();
          }

          @Override
          public void onTimeout(AsyncEvent event) {
            c.clientClosed();
          }

          @Override
          public void onError(AsyncEvent event) {
            c.clientClosed();
          }

          @Override
          public void onStartAsync(AsyncEvent event) {}
        });
    out.setWriteListener(sink);
  }

  private static void error(HttpServletResponse resp, int status, String message) {
    try {
      resp.setStatus(status);
      resp.setContentType("application/json");
      resp.setHeader("Cache-Control", "no-store");
      byte[] body =
          ("{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}")
              .getBytes(StandardCharsets.UTF_8);
      resp.setContentLength(body.length);
      resp.getOutputStream().write(body);
    } catch (IOException | IllegalStateException e) {
      LOG.debug("Error response failed: {}", e.toString());
    }
  }

  /**
   * The response body as a non-blocking sink. The lock serialises the relay's writes with the
   * container's {@code onWritePossible}; only container stream calls run under it, and the relay's
   * callback is called after it is released.
   */
  private static final class AsyncSink implements SseSink, WriteListener {
    private final AsyncContext ctx;
    private final ServletOutputStream out;
    private final Object lock = new Object();
    private byte @Nullable [] pending; // guarded by lock
    private @Nullable Consumer<@Nullable Throwable> pendingDone; // guarded by lock
    private boolean needFlush; // guarded by lock
    private boolean listening; // guarded by lock: the container has called onWritePossible once
    private boolean closed; // guarded by lock
    volatile @Nullable SseConnection connection;

    AsyncSink(AsyncContext ctx, ServletOutputStream out) {
      this.ctx = ctx;
      this.out = out;
    }

    @Override
    public void write(byte[] bytes, Consumer<@Nullable Throwable> done) {
      synchronized (lock) {
        pending = bytes;
        pendingDone = done;
      }
      pump();
    }

    @Override
    public void onWritePossible() {
      synchronized (lock) {
        listening = true;
      }
      pump();
    }

    @Override
    public void onError(Throwable t) {
      Consumer<@Nullable Throwable> d;
      synchronized (lock) {
        d = pendingDone;
        pendingDone = null;
        pending = null;
      }
      if (d != null) {
        d.accept(t);
      }
      SseConnection c = connection;
      if (c != null) {
        c.clientClosed();
      }
    }

    private void pump() {
      Consumer<@Nullable Throwable> toCall = null;
      Throwable failure = null;
      synchronized (lock) {
        if (!listening || closed) {
          if (closed && pendingDone != null) {
            toCall = pendingDone;
            pendingDone = null;
            failure = new IOException("connection closed");
          }
        } else {
          try {
            while (out.isReady()) {
              byte[] p = pending;
              if (p != null) {
                pending = null;
                out.write(p);
                needFlush = true;
              } else if (needFlush) {
                needFlush = false;
                out.flush();
              } else {
                toCall = pendingDone;
                pendingDone = null;
                break;
              }
            }
          } catch (IOException | RuntimeException e) {
            failure = e;
            toCall = pendingDone;
            pendingDone = null;
          }
        }
      }
      if (toCall != null) {
        toCall.accept(failure);
      }
    }

    @Override
    public void close() {
      synchronized (lock) {
        if (closed) {
          return;
        }
        closed = true;
      }
      try {
        ctx.complete();
      } catch (IllegalStateException e) {
        LOG.debug("Async context already completed: {}", e.toString());
      }
    }
  }
}
