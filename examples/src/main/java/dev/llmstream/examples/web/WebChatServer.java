package dev.llmstream.examples.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.llmstream.core.ChatProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser chat: static page + JSON API + Server-Sent Events, on the JDK's built-in HttpServer.
 *
 * <ul>
 *   <li>{@code POST /api/chat} {@code {"session","message"}} starts an answer: {@code {"run"}}
 *   <li>{@code GET /api/runs/{run}/events?after=N} streams the answer's events (resumable: {@code after}
 *       or the {@code Last-Event-ID} header)
 *   <li>{@code POST /api/runs/{run}/stop} cancels it (the model's HTTP call is aborted)
 *   <li>{@code GET /api/session/{id}} returns the history and the running answer, for a reloaded page
 *   <li>{@code POST /api/session/{id}/retry} answers the last question again
 * </ul>
 *
 * <p>The answers themselves stream without a thread each (the library's rule); this demo server's HTTP
 * layer is the JDK's simple blocking HttpServer, which holds one pool thread per open browser event
 * stream.
 */
public final class WebChatServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebChatServer.class);
  private static final int MAX_SESSIONS = 10_000;
  private static final int MAX_MESSAGE_CHARS = 32_000;
  private static final long KEEP_ALIVE_MILLIS = 15_000;

  private final HttpServer http;
  private final ExecutorService pool;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, ChatSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, AnswerRun> runs = new ConcurrentHashMap<>();
  private final AtomicInteger runIds = new AtomicInteger();
  private final ChatProvider provider;
  private final String endpointDescription;

  private WebChatServer(HttpServer http, ExecutorService pool, ChatProvider provider, String description) {
    this.http = http;
    this.pool = pool;
    this.provider = provider;
    this.endpointDescription = description;
  }

  /**
   * Starts the server.
   *
   * @param host the address to bind, such as {@code 127.0.0.1}
   * @param port the port, 0 for a free one
   * @param provider where answers come from (not closed by this server)
   * @param endpointDescription shown in the page header
   * @return the running server
   * @throws IOException if the port cannot be bound
   */
  public static WebChatServer start(String host, int port, ChatProvider provider, String endpointDescription)
      throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 64);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "web-chat-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    WebChatServer server = new WebChatServer(http, pool, provider, endpointDescription);
    http.setExecutor(pool);
    http.createContext("/", server::handle);
    http.start();
    return server;
  }

  /**
   * The port the server listens on.
   *
   * @return the port
   */
  public int port() {
    return http.getAddress().getPort();
  }

  /**
   * The page's URL.
   *
   * @return such as {@code http://localhost:8080/}
   */
  public String url() {
    return "http://localhost:" + port() + "/";
  }

  @Override
  public void close() {
    for (AnswerRun run : runs.values()) {
      run.stop();
    }
    http.stop(0);
    pool.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (method.equals("GET") && (path.equals("/") || path.equals("/index.html"))) {
        resource(ex, "index.html", "text/html; charset=utf-8");
      } else if (method.equals("GET") && path.equals("/app.js")) {
        resource(ex, "app.js", "text/javascript; charset=utf-8");
      } else if (method.equals("GET") && path.equals("/app.css")) {
        resource(ex, "app.css", "text/css; charset=utf-8");
      } else if (method.equals("POST") && path.equals("/api/chat")) {
        startChat(ex);
      } else if (path.startsWith("/api/runs/")) {
        runRoute(ex, method, path.substring("/api/runs/".length()));
      } else if (path.startsWith("/api/session/")) {
        sessionRoute(ex, method, path.substring("/api/session/".length()));
      } else {
        text(ex, 404, "not found");
      }
    } catch (BadRequest e) {
      text(ex, 400, e.getMessage());
    } catch (IOException e) {
      LOG.debug("Browser connection ended: {}", e.toString());
    } catch (RuntimeException e) {
      LOG.warn("Request {} failed", ex.getRequestURI(), e);
      try {
        text(ex, 500, "internal error");
      } catch (IOException ignored) {
        // the connection is gone
      }
    } finally {
      ex.close();
    }
  }

  private void startChat(HttpExchange ex) throws IOException {
    JsonNode body = readJson(ex);
    String sessionId = requireText(body, "session", 200);
    String message = requireText(body, "message", MAX_MESSAGE_CHARS);
    ChatSession session = session(sessionId);
    AnswerRun run = session.ask(message, this::newRun);
    if (run == null) {
      text(ex, 409, "an answer is already running in this session: stop it first");
      return;
    }
    ObjectNode out = json.createObjectNode().put("run", run.id());
    send(ex, 200, "application/json", json.writeValueAsBytes(out));
  }

  private AnswerRun newRun(ChatSession session, dev.llmstream.core.ChatRequest request) {
    String id = "r" + runIds.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    AnswerRun previous = session.lastFinishedRun();
    if (previous != null) {
      runs.remove(previous.id());
    }
    AnswerRun run = new AnswerRun(id, session, json);
    runs.put(id, run);
    run.start(provider, request);
    return run;
  }

  private void runRoute(HttpExchange ex, String method, String rest) throws IOException {
    int slash = rest.indexOf('/');
    String id = slash < 0 ? rest : rest.substring(0, slash);
    String action = slash < 0 ? "" : rest.substring(slash + 1);
    AnswerRun run = runs.get(id);
    if (run == null) {
      text(ex, 404, "no such answer");
    } else if (method.equals("GET") && action.equals("events")) {
      streamEvents(ex, run);
    } else if (method.equals("POST") && action.equals("stop")) {
      run.stop();
      send(ex, 200, "application/json", "{\"stopped\":true}".getBytes(StandardCharsets.UTF_8));
    } else {
      text(ex, 404, "not found");
    }
  }

  private void sessionRoute(HttpExchange ex, String method, String rest) throws IOException {
    int slash = rest.indexOf('/');
    String id = slash < 0 ? rest : rest.substring(0, slash);
    String action = slash < 0 ? "" : rest.substring(slash + 1);
    if (id.isBlank() || id.length() > 200) {
      throw new BadRequest("bad session id");
    }
    ChatSession session = session(id);
    if (method.equals("GET") && action.isEmpty()) {
      ObjectNode out = session.toJson(json);
      out.put("endpoint", endpointDescription);
      send(ex, 200, "application/json", json.writeValueAsBytes(out));
    } else if (method.equals("POST") && action.equals("retry")) {
      AnswerRun run = session.retry(this::newRun);
      if (run == null) {
        text(ex, 409, "nothing to retry, or an answer is running");
        return;
      }
      send(ex, 200, "application/json", json.writeValueAsBytes(json.createObjectNode().put("run", run.id())));
    } else {
      text(ex, 404, "not found");
    }
  }

  private void streamEvents(HttpExchange ex, AnswerRun run) throws IOException {
    long after = parseLong(queryParam(ex.getRequestURI(), "after"));
    long lastEventId = parseLong(ex.getRequestHeaders().getFirst("Last-Event-ID"));
    long last = Math.max(after, lastEventId);
    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.getResponseHeaders().set("X-Accel-Buffering", "no");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
    try {
      while (true) {
        List<RunLog.Event> events = run.log().after(last, KEEP_ALIVE_MILLIS);
        if (events.isEmpty()) {
          if (run.log().isDone()) {
            return;
          }
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
        }
        boolean done = false;
        StringBuilder sb = new StringBuilder();
        for (RunLog.Event e : events) {
          sb.append("id: ").append(e.id()).append('\n');
          sb.append("event: ").append(e.type()).append('\n');
          sb.append("data: ").append(e.json()).append("\n\n");
          last = e.id();
          done |= e.type().equals("done");
        }
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (done) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // server shutting down
    }
  }

  private ChatSession session(String id) {
    ChatSession s = sessions.get(id);
    if (s != null) {
      return s;
    }
    if (sessions.size() >= MAX_SESSIONS) {
      throw new BadRequest("too many sessions on this demo server");
    }
    return sessions.computeIfAbsent(id, ChatSession::new);
  }

  private JsonNode readJson(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_MESSAGE_CHARS * 4 + 1024);
      return json.readTree(bytes);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadRequest("the body must be a JSON object");
    }
  }

  private static String requireText(JsonNode body, String field, int max) {
    JsonNode n = body == null ? null : body.get(field);
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      throw new BadRequest("'" + field + "' must be a non-empty string");
    }
    if (n.asText().length() > max) {
      throw new BadRequest("'" + field + "' is longer than " + max + " characters");
    }
    return n.asText();
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

  private static long parseLong(@Nullable String s) {
    if (s == null || s.isBlank()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(s.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void resource(HttpExchange ex, String name, String type) throws IOException {
    try (InputStream in = WebChatServer.class.getResourceAsStream("/web/" + name)) {
      Objects.requireNonNull(in, "missing resource /web/" + name);
      send(ex, 200, type, in.readAllBytes());
    }
  }

  private static void text(HttpExchange ex, int status, String message) throws IOException {
    send(ex, status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** A client error with a message for the page. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }
}
