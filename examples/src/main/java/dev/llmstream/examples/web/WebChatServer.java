package dev.llmstream.examples.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.llmstream.core.ChatProvider;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.micrometer.BrowserMetrics;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.RunOptions;
import dev.llmstream.web.StopResult;
import dev.llmstream.web.jdk.JdkSseAdapter;
import dev.llmstream.web.spi.RunStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser chat on the JDK's {@code HttpServer}: the page, a small JSON API and the answers' event
 * streams, all on {@code streaming-web} ({@link AnswerRuns} and {@link JdkSseAdapter}). The HTTP API is
 * documented in {@code docs/WEB-PROTOCOL.md} §4.
 *
 * <p>Identity: the {@code sid} cookie (HttpOnly, SameSite=Strict, 128 random bits), set on any response
 * to a request without a valid one, is the owner of the runs started with it; another owner's run is
 * answered {@code 404}. With {@link #browserMetrics(BrowserMetrics)}, the page's own measurements (display
 * lag, long frames) posted to {@code /api/ui-metrics} are recorded, for known sessions only. Handlers never wait for an answer: a fixed pool of four threads handles requests
 * and another four do the event streams' writes, whatever the number of open streams.
 */
public final class WebChatServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebChatServer.class);
  private static final int MAX_CHATS = 10_000;
  private final int maxChats;
  private static final int MAX_MESSAGE_CHARS = 32_000;
  /** {@code POST /api/ui-metrics}: the largest body, the most lags and long frames one report may carry. */
  static final int MAX_UI_REPORT_BYTES = 8 * 1024;
  static final int MAX_UI_LAGS = 256;
  static final int MAX_UI_LONG_FRAMES = 10_000;
  private static final Pattern SID = Pattern.compile("(?:^|;\\s*)sid=([A-Za-z0-9_-]{22})(?:;|$)");
  private static final Pattern RUN_PATH = Pattern.compile("/api/runs/([^/]+)/(events|stop)");
  private static final Pattern CHAT_PATH = Pattern.compile("/api/chats/([^/]+)(/retry)?");
  private static final Pattern STATIC = Pattern.compile("/([A-Za-z0-9_-]+\\.(?:html|js|css|svg|ico))");

  private final HttpServer http;
  private final ExecutorService handlers;
  private final ExecutorService writers;
  private final AnswerRuns runs;
  private final JdkSseAdapter sse;
  private final ObjectMapper json = new ObjectMapper();
  private final SecureRandom random = new SecureRandom();
  private final Map<String, ChatSession> chats = new ConcurrentHashMap<>();
  private final Map<String, Integer> chatsPerOwner = new ConcurrentHashMap<>(); // the owners this server knows
  private volatile @Nullable BrowserMetrics browserMetrics;
  private final AtomicLong uses = new AtomicLong();
  private final String endpointDescription;

  private WebChatServer(
      HttpServer http,
      ExecutorService handlers,
      ExecutorService writers,
      AnswerRuns runs,
      String description,
      int maxChats) {
    this.http = http;
    this.maxChats = maxChats;
    this.handlers = handlers;
    this.writers = writers;
    this.runs = runs;
    this.sse = JdkSseAdapter.create(runs, writers);
    this.endpointDescription = description;
  }

  /**
   * Starts the server with default {@link AnswerRuns} over {@code provider}.
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
    return start(host, port, AnswerRuns.builder(provider).build(), endpointDescription);
  }

  /**
   * Starts the server on the given runs (closed with the server).
   *
   * @param host the address to bind
   * @param port the port, 0 for a free one
   * @param runs the answer runs
   * @param endpointDescription shown in the page header
   * @return the running server
   * @throws IOException if the port cannot be bound
   */
  public static WebChatServer start(String host, int port, AnswerRuns runs, String endpointDescription)
      throws IOException {
    return start(host, port, runs, endpointDescription, MAX_CHATS);
  }

  static WebChatServer start(String host, int port, AnswerRuns runs, String endpointDescription, int maxChats)
      throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 256);
    ExecutorService handlers = Executors.newFixedThreadPool(4, daemon("web-http-"));
    ExecutorService writers = Executors.newFixedThreadPool(4, daemon("web-sse-"));
    WebChatServer server = new WebChatServer(http, handlers, writers, runs, endpointDescription, maxChats);
    http.setExecutor(handlers);
    http.createContext("/", server::handle);
    http.start();
    return server;
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
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

  /**
   * The runs behind the server (for tests and metrics).
   *
   * @return the runs
   */
  public AnswerRuns runs() {
    return runs;
  }

  /**
   * Serves {@code path} (and everything under it) with {@code handler}, next to the chat's own routes;
   * the {@code web} command adds {@code /metrics} this way.
   *
   * @param path such as {@code /metrics}
   * @param handler runs on the server's handler pool; it must send a response and close the exchange
   */
  public void route(String path, com.sun.net.httpserver.HttpHandler handler) {
    http.createContext(path, handler);
  }

  /**
   * Records what the page measures and posts to {@code POST /api/ui-metrics} (display lag, long frames;
   * {@code docs/WEB-PROTOCOL.md} §4). Without it that path answers {@code 404}.
   *
   * @param metrics the recorder
   */
  public void browserMetrics(BrowserMetrics metrics) {
    this.browserMetrics = java.util.Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public void close() {
    runs.close();
    http.stop(0);
    handlers.shutdownNow();
    writers.shutdownNow();
  }

  private void handle(HttpExchange ex) {
    boolean handedOver = false;
    try {
      String owner = owner(ex);
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      Matcher run = RUN_PATH.matcher(path);
      Matcher chat = CHAT_PATH.matcher(path);
      Matcher file = STATIC.matcher(path);
      if (method.equals("GET") && path.equals("/")) {
        resource(ex, "index.html");
      } else if (method.equals("GET") && path.equals("/llmstream.js")) {
        handedOver = true;
        JdkSseAdapter.serveClientScript(ex);
      } else if (method.equals("POST") && path.equals("/api/chat")) {
        JsonNode body = readJson(ex);
        String slot = slot(body.path("chat").isTextual() ? body.get("chat").asText() : RunOptions.DEFAULT_SLOT);
        handedOver = startAnswer(ex, owner, slot, requireText(body, "message", MAX_MESSAGE_CHARS));
      } else if (method.equals("POST") && path.equals("/api/ui-metrics")) {
        uiMetrics(ex, owner);
      } else if (run.matches() && method.equals("GET") && run.group(2).equals("events")) {
        handedOver = true;
        sse.serve(ex, owner, run.group(1));
      } else if (run.matches() && method.equals("POST") && run.group(2).equals("stop")) {
        handedOver = reply(ex, runs.stop(owner, run.group(1)).thenApply(this::stopReply));
      } else if (chat.matches() && method.equals("GET") && chat.group(2) == null) {
        ObjectNode out = chat(owner, slot(chat.group(1))).toJson(json);
        out.put("endpoint", endpointDescription);
        send(ex, 200, "application/json", json.writeValueAsBytes(out));
      } else if (chat.matches() && method.equals("POST") && chat.group(2) != null) {
        handedOver = startAnswer(ex, owner, slot(chat.group(1)), null);
      } else if (method.equals("GET") && file.matches()) {
        resource(ex, file.group(1));
      } else {
        error(ex, 404, "not found");
      }
    } catch (BadRequest e) {
      error(ex, 400, e.getMessage());
    } catch (IOException e) {
      LOG.debug("Browser connection ended: {}", e.toString());
    } catch (RuntimeException e) {
      LOG.warn("Request {} failed", ex.getRequestURI().getPath(), e);
      error(ex, 500, "internal error");
    } finally {
      if (!handedOver) {
        ex.close();
      }
    }
  }

  /** Starts an answer ({@code message} null = retry the last question); replies when the run exists. */
  private boolean startAnswer(HttpExchange ex, String owner, String slot, @Nullable String message) {
    ChatSession session = chat(owner, slot);
    ChatRequest request = message == null ? session.retry() : session.ask(message);
    if (request == null) {
      error(ex, 409, message == null
          ? "nothing to retry, or an answer is running in this chat"
          : "an answer is already running in this chat: stop it first");
      ex.close();
      return true;
    }
    RunOptions options = RunOptions.builder().slot(slot).listener(session::finished).build();
    CompletionStage<String> started;
    try {
      started = runs.start(owner, request, options);
    } catch (RuntimeException e) {
      session.started("", message != null, e);
      throw e;
    }
    return reply(
        ex,
        started.handle(
            (id, err) -> {
              session.started(id, message != null, err);
              if (err != null) {
                throw err instanceof CompletionException ce ? ce : new CompletionException(err);
              }
              return new Reply(200, json.createObjectNode().put("run", id));
            }));
  }

  private Reply stopReply(StopResult r) {
    return r == StopResult.NOT_FOUND
        ? new Reply(404, json.createObjectNode().put("error", "no such answer"))
        : new Reply(200, json.createObjectNode().put("stopped", r == StopResult.STOPPING));
  }

  private record Reply(int status, ObjectNode body) {}

  /** Sends the reply when the stage completes (a refused start is 409, anything else 500). */
  private boolean reply(HttpExchange ex, CompletionStage<Reply> stage) {
    stage.whenComplete(
        (r, err) -> {
          try {
            if (err == null) {
              send(ex, r.status(), "application/json", json.writeValueAsBytes(r.body()));
            } else if (err.getCause() instanceof RunStoreException rs
                && (rs.reason() == RunStoreException.Reason.SLOT_BUSY
                    || rs.reason() == RunStoreException.Reason.OWNER_LIMIT)) {
              error(ex, 409, rs.getMessage());
            } else {
              LOG.warn("Request {} failed", ex.getRequestURI().getPath(), err);
              error(ex, 500, "internal error");
            }
          } catch (IOException e) {
            LOG.debug("Browser connection ended: {}", e.toString());
          } finally {
            ex.close();
          }
        });
    return true;
  }

  /** The owner: the {@code sid} cookie, created (and set on the response) when missing or malformed. */
  private String owner(HttpExchange ex) {
    String cookie = ex.getRequestHeaders().getFirst("Cookie");
    if (cookie != null) {
      Matcher m = SID.matcher(cookie);
      if (m.find()) {
        return m.group(1);
      }
    }
    byte[] b = new byte[16];
    random.nextBytes(b);
    String sid = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    ex.getResponseHeaders().add("Set-Cookie", "sid=" + sid + "; Path=/; HttpOnly; SameSite=Strict");
    return sid;
  }

  private ChatSession chat(String owner, String slot) {
    String key = owner + '/' + slot;
    long use = uses.incrementAndGet();
    ChatSession s = chats.get(key);
    if (s != null) {
      return s.touch(use);
    }
    if (chats.size() >= maxChats) {
      forgetLeastRecentlyUsedIdleChat();
    }
    if (chats.size() >= maxChats) {
      throw new BadRequest("too many conversations with running answers on this demo server; try again later");
    }
    return chats.computeIfAbsent(key, k -> {
      chatsPerOwner.merge(owner, 1, Integer::sum);
      return new ChatSession();
    }).touch(use);
  }

  /** Bounds the chats kept in memory: the least recently used one without a running answer goes. */
  private void forgetLeastRecentlyUsedIdleChat() {
    Map.Entry<String, ChatSession> oldest = null;
    for (Map.Entry<String, ChatSession> e : chats.entrySet()) {
      if (e.getValue().isIdle() && (oldest == null || e.getValue().lastUsed() < oldest.getValue().lastUsed())) {
        oldest = e;
      }
    }
    if (oldest != null && chats.remove(oldest.getKey(), oldest.getValue())) {
      String owner = oldest.getKey().substring(0, oldest.getKey().indexOf('/'));
      chatsPerOwner.computeIfPresent(owner, (o, n) -> n == 1 ? null : n - 1);
    }
  }

  /**
   * {@code POST /api/ui-metrics} {@code {"displayLagMs": [..], "longFrames": n}}: 204 when recorded; 404
   * for a session this server has no conversation for (or without {@link #browserMetrics}); 400 for a
   * body over 8 KiB, more than 256 lags, a lag that is not a number, a bad {@code longFrames}.
   */
  private void uiMetrics(HttpExchange ex, String owner) throws IOException {
    BrowserMetrics metrics = browserMetrics;
    if (metrics == null || !chatsPerOwner.containsKey(owner)) {
      error(ex, 404, "not found");
      return;
    }
    byte[] bytes;
    try (InputStream in = ex.getRequestBody()) {
      bytes = in.readNBytes(MAX_UI_REPORT_BYTES + 1);
    }
    if (bytes.length > MAX_UI_REPORT_BYTES) {
      throw new BadRequest("the report is larger than " + MAX_UI_REPORT_BYTES + " bytes");
    }
    JsonNode body;
    try {
      body = json.readTree(bytes);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      throw new BadRequest("the body must be a JSON object such as {\"displayLagMs\": [12.5], \"longFrames\": 0}");
    }
    JsonNode lags = body.path("displayLagMs");
    JsonNode frames = body.path("longFrames");
    if (!lags.isMissingNode() && !lags.isArray()) {
      throw new BadRequest("'displayLagMs' must be an array of milliseconds");
    }
    if (lags.size() > MAX_UI_LAGS) {
      throw new BadRequest("'displayLagMs' may hold at most " + MAX_UI_LAGS + " values");
    }
    double[] values = new double[lags.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = lags.get(i);
      if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
        throw new BadRequest("'displayLagMs' must hold numbers of milliseconds");
      }
      values[i] = v.asDouble();
    }
    long longFrames = 0;
    if (!frames.isMissingNode()) {
      if (!frames.isIntegralNumber() || frames.asLong() < 0 || frames.asLong() > MAX_UI_LONG_FRAMES) {
        throw new BadRequest("'longFrames' must be an integer from 0 to " + MAX_UI_LONG_FRAMES);
      }
      longFrames = frames.asLong();
    }
    for (double v : values) { // all checked first: a bad report records nothing
      metrics.recordDisplayLag(v);
    }
    metrics.recordLongFrames(longFrames);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(204, -1);
  }

  private static String slot(String s) {
    if (!RunOptions.isValidSlot(s)) {
      throw new BadRequest("'chat' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");
    }
    return s;
  }

  private JsonNode readJson(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_MESSAGE_CHARS * 4 + 1024);
      JsonNode n = json.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw new BadRequest("the body must be a JSON object such as {\"message\": \"Hello\"}");
      }
      return n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadRequest("the body must be a JSON object such as {\"message\": \"Hello\"}");
    }
  }

  private static String requireText(JsonNode body, String field, int max) {
    JsonNode n = body.get(field);
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      throw new BadRequest("'" + field + "' must be a non-empty string");
    }
    if (n.asText().length() > max) {
      throw new BadRequest("'" + field + "' is longer than " + max + " characters");
    }
    return n.asText();
  }

  /** A file of the page from the classpath folder {@code web/}, or 404. */
  private void resource(HttpExchange ex, String name) throws IOException {
    String type =
        name.endsWith(".js") ? "text/javascript; charset=utf-8"
            : name.endsWith(".css") ? "text/css; charset=utf-8"
            : name.endsWith(".svg") ? "image/svg+xml"
            : name.endsWith(".ico") ? "image/x-icon" : "text/html; charset=utf-8";
    try (InputStream in = WebChatServer.class.getResourceAsStream("/web/" + name)) {
      if (in == null) {
        error(ex, 404, "not found");
        return;
      }
      send(ex, 200, type, in.readAllBytes());
    }
  }

  private void error(HttpExchange ex, int status, String message) {
    try {
      send(ex, status, "application/json", json.writeValueAsBytes(json.createObjectNode().put("error", message)));
    } catch (IOException e) {
      LOG.debug("Browser connection ended: {}", e.toString());
    }
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
