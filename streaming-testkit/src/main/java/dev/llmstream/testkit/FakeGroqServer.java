package dev.llmstream.testkit;

import dev.llmstream.core.StreamScheduler;
import dev.llmstream.testkit.internal.Exchange;
import dev.llmstream.testkit.internal.ExchangeLog;
import dev.llmstream.testkit.internal.ExchangeState;
import dev.llmstream.testkit.internal.GroqWire;
import dev.llmstream.testkit.internal.LoopbackServer;
import dev.llmstream.testkit.internal.ParsedRequest;
import dev.llmstream.testkit.internal.ResponsePlan;
import dev.llmstream.testkit.internal.ScriptSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake Groq server on a loopback port: it speaks {@code POST /openai/v1/chat/completions} with Groq's
 * streaming wire format ({@code chat.completion.chunk} events, usage in {@code x_groq} of the last chunk,
 * {@code data: [DONE]}), paced and faulted as each {@link ResponseScript} says, and records every request
 * and how each response ended.
 *
 * <pre>{@code
 * try (FakeGroqServer server = FakeGroqServer.builder()
 *     .enqueue(ResponseScript.rateLimited(Duration.ofSeconds(1)))       // 1st request: 429
 *     .enqueue(ResponseScript.builder().text("Hello!").build())         // 2nd request: the answer
 *     .build()
 *     .start()) {
 *   // point your OpenAI-compatible provider at server.baseUrl(), then exercise your code
 *   assertThat(server.requests()).hasSize(2);
 *   assertThat(server.awaitEnded(1, Duration.ofSeconds(5)).ending()).isEqualTo(ConnectionRecord.Ending.COMPLETED);
 * }
 *
 * // the embedded default endpoint of the examples: a plausible answer to any prompt, at Groq's speed
 * FakeGroqServer demo = FakeGroqServer.simulated(SimulatedModel.defaults()).start();
 * String baseUrl = demo.baseUrl();   // http://127.0.0.1:PORT/openai/v1
 * }</pre>
 *
 * <p><b>Which script answers.</b> Requests to the chat endpoint take the {@link Builder#enqueue enqueued}
 * scripts in order (the N-th request the N-th script); once those are used up, the
 * {@link Builder#dispatcher dispatcher} decides (default: a short fixed answer). Other paths get Groq's
 * 404 body, other methods a 405. Requests are answered as streams whatever their {@code stream} flag.
 *
 * <p><b>Seeing it from outside.</b> {@code GET /_testkit/connections} answers with JSON listing every
 * exchange so far: the request's method, path, model, number of messages and size, and the response's
 * status, chunks sent and how it ended ({@link ConnectionRecord.Ending}); for a test that drives an
 * application out of process and must see, say, that a Stop closed the connection. Control requests are
 * not recorded; with a {@link VirtualScheduler} their answer is written when the clock runs, like any
 * other. {@link Builder#logExchanges(Consumer)} reports each exchange as it starts and ends, in one line
 * each (the standalone server logs them).
 *
 * <p><b>Threads and limits.</b> One selector thread per server reads requests and notices clients that
 * close; responses are written in small non-blocking steps by tasks on the {@link StreamScheduler}
 * (default: one daemon thread owned by the server; or the one given to
 * {@link Builder#scheduler(StreamScheduler)}, such as a {@link VirtualScheduler}). There is no thread
 * per connection, so thousands of concurrent paced streams are fine on loopback; a slow reader holds
 * back its own stream only. Request bodies up to 16 MiB. HTTP/1.1 only (an {@code h2c} upgrade offer is
 * ignored, as Groq's HTTPS endpoint would negotiate it away).
 *
 * <p>Thread-safe. {@link #close()} is idempotent and ends open responses as
 * {@link ConnectionRecord.Ending#SERVER_CLOSED}.
 */
public final class FakeGroqServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FakeGroqServer.class);
  private static final String CHAT_PATH = "/openai/v1/chat/completions";

  private final String host;
  private final int requestedPort;
  private final @Nullable StreamScheduler givenScheduler;
  private final Function<RecordedRequest, ResponseScript> dispatcher;
  private final @Nullable Consumer<String> exchangeLog;
  private final Object lock = new Object();
  private final ArrayDeque<ResponseScript> queue; // guarded by lock
  private final List<RecordedRequest> requests = new ArrayList<>(); // guarded by lock
  private final List<ExchangeState> exchanges = new ArrayList<>(); // guarded by lock
  private @Nullable LoopbackServer server; // guarded by lock
  private @Nullable ScheduledThreadPoolExecutor ownExecutor; // guarded by lock
  private boolean started; // guarded by lock
  private boolean closed; // guarded by lock

  private FakeGroqServer(Builder b) {
    this.host = b.host;
    this.requestedPort = b.port;
    this.givenScheduler = b.scheduler;
    this.dispatcher = b.dispatcher;
    this.exchangeLog = b.exchangeLog;
    this.queue = new ArrayDeque<>(b.queue);
  }

  /**
   * A new builder: loopback host, a free port, unpaced default answers.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A server (not yet started) whose every answer comes from {@code model}: the embedded default
   * endpoint the examples use when no API key is set.
   *
   * @param model the simulated model
   * @return the server; call {@link #start()}
   */
  public static FakeGroqServer simulated(SimulatedModel model) {
    Objects.requireNonNull(model, "model");
    return builder().dispatcher(model::script).build();
  }

  /**
   * Binds the port and starts serving.
   *
   * @return this server
   * @throws IllegalStateException if already started or closed
   * @throws UncheckedIOException if the port cannot be bound
   */
  public FakeGroqServer start() {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException(closed ? "server is closed" : "server already started");
      }
      StreamScheduler scheduler = givenScheduler;
      if (scheduler == null) {
        ScheduledThreadPoolExecutor exec = new ScheduledThreadPoolExecutor(1, r -> {
          Thread t = new Thread(r, "fake-groq-pacer");
          t.setDaemon(true);
          return t;
        });
        exec.setRemoveOnCancelPolicy(true);
        ownExecutor = exec;
        scheduler = StreamScheduler.of(exec);
      }
      StreamScheduler clock = scheduler;
      try {
        server = new LoopbackServer(host, requestedPort, scheduler, req -> handle(req, clock));
      } catch (IOException e) {
        shutdownExecutor();
        throw new UncheckedIOException("cannot bind " + host + ":" + requestedPort, e);
      }
      started = true;
      LOG.debug("fake Groq server listening on {}", baseUrlLocked());
      return this;
    }
  }

  /**
   * The OpenAI-compatible base URL, such as {@code http://127.0.0.1:41234/openai/v1}; append
   * {@code /chat/completions} for the endpoint.
   *
   * @return the base URL
   * @throws IllegalStateException if not started
   */
  public String baseUrl() {
    synchronized (lock) {
      return baseUrlLocked();
    }
  }

  /**
   * The bound port.
   *
   * @return the port
   * @throws IllegalStateException if not started
   */
  public int port() {
    synchronized (lock) {
      return requireServer().port();
    }
  }

  private String baseUrlLocked() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + h + ":" + requireServer().port() + "/openai/v1";
  }

  private LoopbackServer requireServer() {
    if (server == null) {
      throw new IllegalStateException("server not started: call start()");
    }
    return server;
  }

  /**
   * The TCP connections open now, as the server sees them: accepted and not yet closed by either side,
   * whether a response is running on them or they wait idle for the next request (HTTP/1.1 keep-alive,
   * a client's connection pool). Leak tests compare it with the number of streams still running.
   *
   * @return the count, 0 before {@link #start()} and after {@link #close()}
   */
  public int openConnections() {
    LoopbackServer s;
    synchronized (lock) {
      s = closed ? null : server;
    }
    return s == null ? 0 : s.openConnections();
  }

  /**
   * Every request received so far, in order of arrival (a copy).
   *
   * @return the requests
   */
  public List<RecordedRequest> requests() {
    synchronized (lock) {
      return List.copyOf(requests);
    }
  }

  /**
   * How each response went so far, one per request, in the order of {@link #requests()} (snapshots).
   *
   * @return the records
   */
  public List<ConnectionRecord> connections() {
    synchronized (lock) {
      List<ConnectionRecord> out = new ArrayList<>(exchanges.size());
      for (ExchangeState e : exchanges) {
        out.add(e.snapshot());
      }
      return out;
    }
  }

  /**
   * Waits until at least {@code n} requests arrived and the first step of each response is scheduled
   * (so advancing a {@link VirtualScheduler} afterwards runs it).
   *
   * @param n the number of requests
   * @param timeout the longest wait
   * @return the requests received (at least {@code n})
   * @throws AssertionError on timeout or interrupt (the interrupt flag is restored)
   */
  public List<RecordedRequest> awaitRequests(int n, Duration timeout) {
    awaitCondition(timeout, () -> {
      if (exchanges.size() < n) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (!exchanges.get(i).isStarted()) {
          return false;
        }
      }
      return true;
    }, n + " requests");
    return requests();
  }

  /**
   * Waits until the response to request {@code index} has ended (is no longer
   * {@link ConnectionRecord.Ending#OPEN}).
   *
   * @param index the request index, from 0
   * @param timeout the longest wait
   * @return the record
   * @throws AssertionError on timeout or interrupt (the interrupt flag is restored)
   */
  public ConnectionRecord awaitEnded(int index, Duration timeout) {
    awaitCondition(timeout,
        () -> exchanges.size() > index && exchanges.get(index).snapshot().ending() != ConnectionRecord.Ending.OPEN,
        "the end of response " + index);
    return connections().get(index);
  }

  /**
   * Waits until the response to request {@code index} has sent at least {@code chunks} chunks, or
   * stalled, or ended.
   *
   * @param index the request index, from 0
   * @param chunks the number of SSE events
   * @param timeout the longest wait
   * @return the record
   * @throws AssertionError on timeout or interrupt (the interrupt flag is restored)
   */
  public ConnectionRecord awaitChunks(int index, int chunks, Duration timeout) {
    awaitCondition(timeout, () -> {
      if (exchanges.size() <= index) {
        return false;
      }
      ConnectionRecord r = exchanges.get(index).snapshot();
      return r.chunksSent() >= chunks || r.stalled() || r.ending() != ConnectionRecord.Ending.OPEN;
    }, chunks + " chunks of response " + index);
    return connections().get(index);
  }

  private void awaitCondition(Duration timeout, java.util.function.BooleanSupplier done, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!done.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; requests="
              + requests.size() + ", connections=" + connectionsLocked());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + what, e);
        }
      }
    }
  }

  private List<ConnectionRecord> connectionsLocked() {
    List<ConnectionRecord> out = new ArrayList<>();
    for (ExchangeState e : exchanges) {
      out.add(e.snapshot());
    }
    return out;
  }

  /** Stops the server, closing open connections; idempotent. */
  @Override
  public void close() {
    LoopbackServer s;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      s = server;
    }
    if (s != null) {
      s.close();
    }
    synchronized (lock) {
      shutdownExecutor();
    }
  }

  private void shutdownExecutor() {
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
      ownExecutor = null;
    }
  }

  /** On the selector thread: record the request and pick its script (the dispatcher runs unlocked). */
  private Exchange handle(ParsedRequest req, StreamScheduler clock) {
    if (ExchangeLog.isControl(req.target())) {
      return control(req, clock);
    }
    RecordedRequest recorded;
    ResponseScript script;
    synchronized (lock) {
      recorded = new RecordedRequest(requests.size(), req.method(), req.target(), req.headers(),
          new String(req.body(), StandardCharsets.UTF_8));
      requests.add(recorded);
      lock.notifyAll();
      script = isChat(req) && "POST".equals(req.method()) ? queue.poll() : null;
    }
    if (script == null) {
      script = route(req, recorded);
    }
    ResponsePlan plan = new ResponsePlan(script.spec(), recorded.index(), req.body().length, clock::nanoTime);
    Consumer<String> log = exchangeLog;
    ExchangeState state = new ExchangeState(recorded.index(), plan.status(), this::changed,
        log == null ? r -> { } : r -> log.accept(ExchangeLog.ended(recorded, r)));
    synchronized (lock) {
      exchanges.add(state);
      lock.notifyAll();
    }
    if (log != null) {
      log.accept(ExchangeLog.started(recorded, plan.status()));
    }
    return new Exchange(plan, state);
  }

  /** {@code GET /_testkit/connections}: the exchanges so far as JSON; not recorded itself. */
  private Exchange control(ParsedRequest req, StreamScheduler clock) {
    ScriptSpec spec = new ScriptSpec();
    if (!pathOf(req.target()).equals(ExchangeLog.CONNECTIONS_PATH)) {
      spec.status = 404;
      spec.rawErrorBody = GroqWire.errorBody("Unknown testkit endpoint: " + pathOf(req.target())
          + "; the testkit serves GET " + ExchangeLog.CONNECTIONS_PATH, "invalid_request_error", "unknown_url");
    } else if (!"GET".equals(req.method())) {
      spec.status = 405;
      spec.rawErrorBody = GroqWire.errorBody("Method Not Allowed: use GET", "invalid_request_error", null);
    } else {
      int open = openConnections();
      List<RecordedRequest> recorded;
      List<ConnectionRecord> records;
      synchronized (lock) {
        recorded = List.copyOf(requests);
        records = connectionsLocked();
      }
      spec.jsonBody = ExchangeLog.connectionsJson(recorded, records, open);
    }
    ResponsePlan plan = new ResponsePlan(spec, 0, 0, clock::nanoTime);
    return new Exchange(plan, new ExchangeState(-1, spec.status, () -> { }, r -> { }));
  }

  private ResponseScript route(ParsedRequest req, RecordedRequest recorded) {
    if (!isChat(req)) {
      return ResponseScript.builder().status(404).rawErrorBody(GroqWire.errorBody(
          "Unknown request URL: " + req.method() + " " + pathOf(req.target())
              + ". Please check the URL for typos, or see the docs at https://console.groq.com/docs/",
          "invalid_request_error", "unknown_url")).build();
    }
    if (!"POST".equals(req.method())) {
      return ResponseScript.builder().status(405)
          .rawErrorBody(GroqWire.errorBody("Method Not Allowed", "invalid_request_error", null)).build();
    }
    try {
      return Objects.requireNonNull(dispatcher.apply(recorded), "dispatcher returned null");
    } catch (RuntimeException e) {
      LOG.error("fake Groq server: dispatcher failed for request {}", recorded.index(), e);
      return ResponseScript.builder().status(500).build();
    }
  }

  private static boolean isChat(ParsedRequest req) {
    String path = pathOf(req.target());
    return path.equals(CHAT_PATH) || path.equals("/v1/chat/completions") || path.equals("/chat/completions");
  }

  private static String pathOf(String target) {
    int q = target.indexOf('?');
    return q >= 0 ? target.substring(0, q) : target;
  }

  private void changed() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "FakeGroqServer[" + (server == null ? "not started" : baseUrlLocked()) + ", requests="
          + requests.size() + (closed ? ", closed" : "") + "]";
    }
  }

  /**
   * Builds a {@link FakeGroqServer}. Not thread-safe; each {@link #build()} makes an independent server.
   */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private @Nullable StreamScheduler scheduler;
    private final List<ResponseScript> queue = new ArrayList<>();
    private Function<RecordedRequest, ResponseScript> dispatcher =
        r -> ResponseScript.text("Hello! This is a scripted answer from the fake Groq server.");
    private @Nullable Consumer<String> exchangeLog;

    private Builder() {}

    /**
     * The address to bind; default {@code 127.0.0.1}.
     *
     * @param host a host name or IP address
     * @return this builder
     * @throws NullPointerException if {@code host} is null
     */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /**
     * The port to bind; default {@code 0} (a free port, see {@link FakeGroqServer#port()}).
     *
     * @param port 0..65535
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be within 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The clock and timer that pace the responses; default: a daemon thread owned by the server. Pass a
     * {@link VirtualScheduler} to pace by hand: then nothing is written (not even headers) until the test
     * advances it.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws NullPointerException if {@code scheduler} is null
     * @throws IllegalStateException if already set
     */
    public Builder scheduler(StreamScheduler scheduler) {
      Objects.requireNonNull(scheduler, "scheduler");
      if (this.scheduler != null) {
        throw new IllegalStateException("scheduler was already set to " + this.scheduler);
      }
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Adds a script for the next chat request: the first enqueued answers the first request, and so on.
     *
     * @param script the script
     * @return this builder
     * @throws NullPointerException if {@code script} is null
     */
    public Builder enqueue(ResponseScript script) {
      queue.add(Objects.requireNonNull(script, "script"));
      return this;
    }

    /**
     * Decides the script of each chat request once the enqueued ones are used up; default: a short fixed
     * answer. Called on the server's selector thread; must be quick and thread-safe. If it throws, the
     * request gets a 500.
     *
     * @param dispatcher the function from request to script
     * @return this builder
     * @throws NullPointerException if {@code dispatcher} is null
     */
    public Builder dispatcher(Function<RecordedRequest, ResponseScript> dispatcher) {
      this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
      return this;
    }

    /**
     * Answers every chat request (after the enqueued ones) with {@code script}.
     *
     * @param script the script
     * @return this builder
     * @throws NullPointerException if {@code script} is null
     */
    public Builder always(ResponseScript script) {
      Objects.requireNonNull(script, "script");
      return dispatcher(r -> script);
    }

    /**
     * Reports each exchange in one line when its request arrives ({@code exchange #0: POST
     * /openai/v1/chat/completions model=m messages=2 body=120 chars -> 200}) and one when its response
     * ends ({@code exchange #0 ended CLOSED_BY_CLIENT (the client closed the connection) after 5
     * chunk(s): ...}); default: not reported. A request is summarised, never quoted: no prompt, headers
     * or key. Called on the server's threads, never under its lock; must be quick and thread-safe (a
     * logger's {@code info} is). The standalone server ({@link FakeGroqServerMain}) logs them.
     *
     * @param log receives one line per event
     * @return this builder
     * @throws NullPointerException if {@code log} is null
     * @throws IllegalStateException if already set
     */
    public Builder logExchanges(Consumer<String> log) {
      Objects.requireNonNull(log, "log");
      if (this.exchangeLog != null) {
        throw new IllegalStateException("logExchanges was already set");
      }
      this.exchangeLog = log;
      return this;
    }

    /**
     * Builds a server; call {@link FakeGroqServer#start()}.
     *
     * @return the server
     */
    public FakeGroqServer build() {
      return new FakeGroqServer(this);
    }
  }
}
