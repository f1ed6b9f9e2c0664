package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.internal.StreamTraceImpl;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import dev.llmstream.groq.GroqResponseInfo;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streamed chat completion over {@code java.net.http}: sends the request, retries before the first
 * token, reads the SSE body one buffer ahead of the pulls, decodes chunks, runs the first-token and idle timers, and
 * aborts the exchange on cancel.
 *
 * <p><b>Concurrency.</b> Signals come from the core (start, pull, cancel), the HTTP client's threads
 * (headers, body buffers, completion, failure) and timer threads. Each becomes a small message in an
 * inbox that a single serial drain loop processes ("work in progress" counter): whichever thread posts
 * first runs the loop, others only enqueue. All mutable state below is owned by the loop; no lock is held
 * while the emitter (and so user code) is called. The inbox is bounded by the protocol: at most one body
 * buffer is requested at a time, plus a handful of control messages.
 *
 * <p><b>Demand.</b> One body buffer list is kept read ahead of demand, so the HTTP client reads while the
 * previous buffer is decoded: it is requested whenever none is in hand, and decoded when a pull comes. If
 * those bytes complete no event (half an event, a keep-alive), the next buffer is decoded or requested at
 * once; otherwise the pull is answered. While nobody pulls, nothing more than that one buffer is read and
 * the rest stays in the socket. The body's end (or failure) that arrives behind an undecoded buffer waits
 * for it, so nothing that was received is lost.
 *
 * <p><b>Waiting.</b> {@link StreamEvent.Waiting} is emitted once per stream, when the first 2xx response
 * headers arrive (carrying {@code x-request-id}).
 *
 * <p><b>Recovery.</b> An instance serves one request (with its retries before the first token) and never
 * retries after a token: a mid-stream failure fails this attempt with a typed error that tells recovery
 * ({@code dev.llmstream.core.spi.Recovery}) whether it is worth another attempt: the body ending before a
 * finish reason or {@code [DONE]}, or the connection failing, is a {@code CONNECTION} error; silence
 * after the first token a {@code TIMEOUT} error (IDLE); an {@code event: error} an
 * {@code UPSTREAM} error (retryable for status 429, 498 and 5xx); a malformed stream a
 * {@code PROTOCOL} error and an over-long line a {@code LIMIT_EXCEEDED} error (never recovered).
 * The provider wraps one instance per attempt in a recovering source.
 */
public final class GroqStreamSource implements StreamSource {
  private static final Logger LOG = LoggerFactory.getLogger(GroqStreamSource.class);
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private enum Phase {
    NEW,
    SENDING,
    STREAMING,
    ERROR_BODY,
    BACKOFF,
    DONE
  }

  private final GroqConfig config;
  private final String model;
  private final byte[] requestBody;
  private final boolean emitWaiting;
  private final RetryRules retryRules;
  private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();

  // ---- owned by the drain loop
  private @Nullable StreamEmitter emitter;
  private Phase phase = Phase.NEW;
  private int attempt;
  private int retries;
  private @Nullable HttpRequest httpRequest;
  private @Nullable CompletableFuture<?> sendFuture;
  private Flow.@Nullable Subscription body;
  private boolean bodyRequested;
  private boolean pullPending;
  /** One body buffer read ahead of demand (at most one), so reading overlaps decoding. */
  private @Nullable List<ByteBuffer> ahead;
  /** The body's end (Complete or Failed) that arrived while {@link #ahead} was still undecoded. */
  private @Nullable Object endBehindAhead;
  private HttpResponse.@Nullable ResponseInfo response;
  private boolean notEventStream;
  private @Nullable SseScanner scanner;
  private @Nullable ChunkDecoder decoder;
  private byte[] errorBody = new byte[0];
  private int errorBodyLength;
  private StreamScheduler.@Nullable Cancellable timer;
  private StreamScheduler.@Nullable Cancellable retryTimer;
  private boolean waitingSent;
  private boolean firstToken;
  private long sentAt;
  private long lastActivity;
  private final ArrayList<StreamEvent> out = new ArrayList<>();
  private final SseScanner.Listener listener = this::onSseEvent;
  private @Nullable StreamTraceImpl trace;

  /**
   * Creates a source for one request.
   *
   * @param config the provider's settings
   * @param model the model named in the request
   * @param requestBody the encoded JSON body
   * @param emitWaiting whether to emit {@link StreamEvent.Waiting}
   */
  public GroqStreamSource(GroqConfig config, String model, byte[] requestBody, boolean emitWaiting) {
    this.config = config;
    this.model = model;
    this.requestBody = requestBody;
    this.emitWaiting = emitWaiting;
    this.retryRules =
        new RetryRules(config.retryOn498(), config.maxRetryDelay(), () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * Reports what only this attempt knows to the stream's trace (for a provider's
   * {@link dev.llmstream.core.StreamListener}): the model the server names in its chunks, at the first
   * token, and each retry before it. Call before {@link #start}.
   *
   * @param trace the stream's trace
   * @return this source
   */
  public GroqStreamSource trace(StreamTraceImpl trace) {
    this.trace = trace;
    return this;
  }

  // ------------------------------------------------------------------ StreamSource

  @Override
  public void start(StreamEmitter emitter) {
    post(new Start(emitter));
  }

  @Override
  public void pull() {
    post(Pull.INSTANCE);
  }

  @Override
  public void cancel() {
    post(Cancel.INSTANCE);
  }

  // ------------------------------------------------------------------ the loop

  private void post(Object signal) {
    inbox.offer(signal);
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (; ; ) {
      Object s;
      while ((s = inbox.poll()) != null) {
        try {
          handle(s);
        } catch (Throwable t) {
          if (t instanceof VirtualMachineError) {
            throw (VirtualMachineError) t;
          }
          LOG.warn("Unexpected failure in the Groq stream", t);
          terminate(
              t instanceof StreamException se
                  ? se
                  : new StreamException(
                      ErrorKind.UNKNOWN,
                      "The Groq stream failed unexpectedly: " + t,
                      StreamException.NO_STATUS,
                      requestId(),
                      t));
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  private void handle(Object s) {
    if (s instanceof Start st) {
      emitter = st.emitter;
      attempt = 1;
      startAttempt();
      return;
    }
    if (s == Cancel.INSTANCE) {
      phase = Phase.DONE;
      releaseAll();
      return;
    }
    if (phase == Phase.DONE) {
      if (s instanceof Subscribed sub) {
        sub.subscription.cancel();
      }
      return;
    }
    if (s == Pull.INSTANCE) {
      pullPending = true;
      List<ByteBuffer> a = ahead;
      if (a != null && phase == Phase.STREAMING) {
        ahead = null;
        decode(a);
        Object end = endBehindAhead;
        if (end != null && phase == Phase.STREAMING) {
          endBehindAhead = null;
          handle(end); // the body ended behind the buffer just decoded
        }
      } else {
        requestMore();
      }
      return;
    }
    if (s instanceof AttemptSignal a && a.attempt() != attempt) {
      if (s instanceof Subscribed sub) {
        sub.subscription.cancel(); // a late body of an abandoned attempt
      }
      return;
    }
    if (s instanceof HeadersArrived h) {
      onHeaders(h.info);
    } else if (s instanceof Subscribed sub) {
      onSubscribed(sub.subscription);
    } else if (s instanceof Data d) {
      onData(d.buffers);
    } else if ((s instanceof Complete || s instanceof Failed) && ahead != null && phase == Phase.STREAMING) {
      endBehindAhead = s; // deliver what was read first; handled when the read-ahead buffer is decoded
    } else if (s instanceof Complete) {
      onBodyComplete();
    } else if (s instanceof Failed f) {
      if (phase == Phase.SENDING || phase == Phase.STREAMING || phase == Phase.ERROR_BODY) {
        body = null;
        onAttemptFailed(mapFailure(f.error), -1, null);
      }
    } else if (s instanceof Timer) {
      onTimer();
    } else if (s instanceof RetryDue) {
      if (phase == Phase.BACKOFF) {
        startAttempt();
      }
    }
  }

  // ------------------------------------------------------------------ attempts

  private void startAttempt() {
    phase = Phase.SENDING;
    scanner = new SseScanner(config.maxLineLength(), config.limits().maxEventBytes());
    decoder = null;
    response = null;
    notEventStream = false;
    body = null;
    bodyRequested = false;
    ahead = null;
    endBehindAhead = null;
    errorBodyLength = 0;
    firstToken = false;
    HttpRequest request = httpRequest;
    if (request == null) {
      request = buildRequest();
      httpRequest = request;
    }
    long now = config.scheduler().nanoTime();
    sentAt = now;
    lastActivity = now;
    arm(config.firstTokenTimeout());
    int a = attempt;
    CompletableFuture<HttpResponse<Void>> f =
        config.client().sendAsync(request, info -> handlerFor(a, info));
    sendFuture = f;
    f.whenComplete(
        (r, t) -> {
          if (t != null) {
            post(new Failed(a, t));
          }
        });
  }

  private HttpResponse.BodySubscriber<Void> handlerFor(int a, HttpResponse.ResponseInfo info) {
    post(new HeadersArrived(a, info));
    return new BodySubscriber(a);
  }

  private HttpRequest buildRequest() {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(config.endpoint())
            .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody))
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .header("User-Agent", "llmstream-java/0.1");
    String key = config.apiKey();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    config.headers().forEach(b::header);
    if (config.http11()) {
      b.version(HttpClient.Version.HTTP_1_1);
    }
    return b.build();
  }

  private void onHeaders(HttpResponse.ResponseInfo info) {
    response = info;
    int status = info.statusCode();
    HttpHeaders headers = info.headers();
    String requestId = Headers.requestId(headers);
    notifyResponse(new GroqResponseInfo(status, requestId, Headers.rateLimit(headers), model, attempt));
    if (status / 100 != 2) {
      phase = Phase.ERROR_BODY;
      return;
    }
    String type = headers.firstValue("content-type").orElse("text/event-stream");
    if (!type.trim().toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
      notEventStream = true;
      phase = Phase.ERROR_BODY;
      return;
    }
    phase = Phase.STREAMING;
    GroqConfig.Limits limits = config.limits();
    decoder =
        new ChunkDecoder(
            config.mapper(), status, requestId, limits.maxAnswerChars(), limits.maxToolArgumentChars());
    if (emitWaiting && !waitingSent) {
      waitingSent = true;
      StreamEmitter e = emitter();
      e.next(new StreamEvent.Waiting(requestId));
      if (pullPending) {
        pullPending = false;
        e.pullDone();
      }
    }
  }

  private void notifyResponse(GroqResponseInfo info) {
    Consumer<GroqResponseInfo> l = config.onResponse();
    if (l == null) {
      return;
    }
    try {
      l.accept(info);
    } catch (RuntimeException e) {
      LOG.warn("Exception thrown by the onResponse listener", e);
    }
  }

  private void onSubscribed(Flow.Subscription s) {
    body = s;
    if (phase == Phase.ERROR_BODY) {
      bodyRequested = true;
      s.request(1);
    } else {
      requestMore();
    }
  }

  private void requestMore() {
    Flow.Subscription s = body;
    // one read is kept ahead of demand: requested whenever no buffer is in hand, pull or not
    if (phase == Phase.STREAMING && s != null && ahead == null && !bodyRequested) {
      bodyRequested = true;
      lastActivity = config.scheduler().nanoTime();
      s.request(1);
    }
  }

  private void onData(List<ByteBuffer> buffers) {
    bodyRequested = false;
    lastActivity = config.scheduler().nanoTime();
    if (phase == Phase.ERROR_BODY) {
      collectErrorBody(buffers);
      return;
    }
    if (phase != Phase.STREAMING) {
      return;
    }
    if (!pullPending) {
      ahead = buffers; // read ahead of demand: decoded on the next pull
      return;
    }
    decode(buffers);
  }

  /** Decodes one body buffer while a pull is pending, emits its events and asks for the next buffer. */
  private void decode(List<ByteBuffer> buffers) {
    ChunkDecoder d = decoder();
    SseScanner sc = scanner();
    out.clear();
    StreamException failure = null;
    try {
      for (ByteBuffer b : buffers) {
        sc.feed(b, listener);
        if (d.isDone()) {
          break;
        }
      }
    } catch (StreamException e) {
      failure = e;
    }
    noteFirstToken(d);
    emitOut();
    if (d.isDone()) {
      // the answer is complete (Finish emitted): bytes after it in the same read (an over-long line,
      // say) are not part of it and must not turn it into a failure
      succeed();
    } else if (failure != null) {
      onAttemptFailed(failure, -1, null);
    } else if (!out.isEmpty() && pullPending) {
      pullPending = false;
      out.clear();
      requestMore(); // read the next buffer while the subscriber handles these events
      emitter().pullDone();
    } else {
      out.clear();
      requestMore();
    }
  }

  private void onSseEvent(@Nullable String type, byte[] data, int length) {
    decoder().onEvent(type, data, length, out);
  }

  private void noteFirstToken(ChunkDecoder d) {
    if (!firstToken && d.sawToken()) {
      firstToken = true;
      StreamTraceImpl t = trace;
      String responseModel = d.model();
      if (t != null && responseModel != null) {
        t.responseModel(responseModel);
      }
      arm(config.idleTimeout()); // from now on the idle timeout applies
    }
  }

  private void collectErrorBody(List<ByteBuffer> buffers) {
    for (ByteBuffer b : buffers) {
      int n = Math.min(b.remaining(), MAX_ERROR_BODY - errorBodyLength);
      if (n > 0) {
        if (errorBodyLength + n > errorBody.length) {
          errorBody = Arrays.copyOf(errorBody, Math.max(errorBodyLength + n, Math.min(MAX_ERROR_BODY, errorBody.length * 2 + 1024)));
        }
        b.get(errorBody, errorBodyLength, n);
        errorBodyLength += n;
      }
    }
    Flow.Subscription s = body;
    if (errorBodyLength >= MAX_ERROR_BODY) {
      if (s != null) {
        s.cancel();
      }
      body = null;
      onBodyComplete();
    } else if (s != null) {
      bodyRequested = true;
      s.request(1);
    }
  }

  private void onBodyComplete() {
    body = null;
    if (phase == Phase.ERROR_BODY) {
      HttpResponse.ResponseInfo info = response;
      int status = info == null ? StreamException.NO_STATUS : info.statusCode();
      HttpHeaders headers = info == null ? HttpHeaders.of(java.util.Map.of(), (a, b) -> true) : info.headers();
      StreamException error;
      if (notEventStream) {
        String said = HttpErrors.serverMessage(config.mapper(), errorBody, errorBodyLength);
        error =
            new StreamException(ErrorKind.PROTOCOL, "Expected a text/event-stream response but got content type "
                    + headers.firstValue("content-type").orElse("(none)")
                    + (said == null ? "" : ": " + ChunkDecoder.bounded(said))
                    + ". Is the base URL an OpenAI-compatible endpoint that supports streaming?",
                status,
                Headers.requestId(headers),
                null);
        onAttemptFailed(error, -1, null);
      } else {
        error = HttpErrors.forStatus(config.mapper(), status, headers, errorBody, errorBodyLength, model);
        onAttemptFailed(error, status, headers);
      }
      return;
    }
    if (phase != Phase.STREAMING) {
      return;
    }
    ChunkDecoder d = decoder();
    out.clear();
    StreamException failure = null;
    try {
      scanner().end();
      d.endOfStream(out);
    } catch (StreamException e) {
      failure = e;
    }
    emitOut();
    if (failure != null) {
      onAttemptFailed(failure, -1, null);
    } else {
      succeed();
    }
  }

  private void emitOut() {
    if (out.isEmpty()) {
      return;
    }
    StreamEmitter e = emitter();
    for (StreamEvent ev : out) {
      e.next(ev);
    }
  }

  private void succeed() {
    phase = Phase.DONE;
    out.clear();
    releaseAll(); // a body still open ([DONE] or the final chunk came before the end) is cancelled
    emitter().complete();
  }

  private void onAttemptFailed(StreamException error, int httpStatus, @Nullable HttpHeaders headers) {
    releaseAttempt();
    out.clear();
    if (!firstToken && retries < config.maxRetries() && retryRules.shouldRetry(error, httpStatus, headers)) {
      Duration delay = retryRules.delay(retries + 1, error, headers);
      if (delay != null) {
        retries++;
        if (trace != null) {
          trace.retried();
        }
        attempt++;
        phase = Phase.BACKOFF;
        int a = attempt;
        LOG.debug(
            "Retrying the Groq request in {} ms (retry {} of {}) after {} (status {})",
            delay.toMillis(), retries, config.maxRetries(), error.kind(), error.status());
        retryTimer = config.scheduler().schedule(delay, () -> post(new RetryDue(a)));
        return;
      }
    }
    terminate(error);
  }

  private void terminate(StreamException error) {
    phase = Phase.DONE;
    releaseAll();
    StreamEmitter e = emitter;
    if (e != null) {
      e.fail(error);
    }
  }

  // ------------------------------------------------------------------ timers

  private void arm(Duration delay) {
    StreamScheduler.Cancellable t = timer;
    if (t != null) {
      t.cancel();
    }
    int a = attempt;
    timer = config.scheduler().schedule(delay, () -> post(new Timer(a)));
  }

  private boolean awaitingNetwork() {
    return phase == Phase.SENDING
        || phase == Phase.ERROR_BODY
        || (phase == Phase.STREAMING && (body == null || bodyRequested));
  }

  private void onTimer() {
    timer = null;
    if (phase != Phase.SENDING && phase != Phase.STREAMING && phase != Phase.ERROR_BODY) {
      return;
    }
    long now = config.scheduler().nanoTime();
    Duration limit = firstToken ? config.idleTimeout() : config.firstTokenTimeout();
    if (!awaitingNetwork()) {
      arm(limit); // the subscriber has no demand: not the server's fault
      return;
    }
    long since = firstToken ? lastActivity : sentAt;
    long remaining = limit.toNanos() - (now - since);
    if (remaining > 0) {
      arm(Duration.ofNanos(remaining));
      return;
    }
    ChunkDecoder d = decoder;
    if (d != null && d.isFinishPending()) {
      out.clear();
      d.finishNow(out);
      emitOut();
      succeed();
      return;
    }
    onAttemptFailed(
        StreamException.timeout(
            firstToken ? StreamState.STREAMING : StreamState.WAITING_FIRST_TOKEN,
            limit,
            requestId(),
            null),
        -1,
        null);
  }

  // ------------------------------------------------------------------ release

  private void releaseAttempt() {
    ChunkDecoder d = decoder;
    if (d != null) {
      d.close(); // keeps its request id and usage for error messages; decodes nothing more
    }
    StreamScheduler.Cancellable t = timer;
    timer = null;
    if (t != null) {
      t.cancel();
    }
    Flow.Subscription s = body;
    body = null;
    if (s != null) {
      s.cancel();
    }
    CompletableFuture<?> f = sendFuture;
    sendFuture = null;
    if (f != null) {
      f.cancel(true);
    }
    bodyRequested = false;
    ahead = null;
    endBehindAhead = null;
  }

  private void releaseAll() {
    releaseAttempt();
    StreamScheduler.Cancellable r = retryTimer;
    retryTimer = null;
    if (r != null) {
      r.cancel();
    }
    attempt++; // whatever is still in flight is now stale
  }

  // ------------------------------------------------------------------ helpers

  private StreamException mapFailure(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof StreamException se) {
      return se;
    }
    String host = config.endpoint().getHost() + ":" + config.endpoint().getPort();
    if (c instanceof HttpConnectTimeoutException) {
      return StreamException.timeout(
          StreamState.CONNECTING, config.connectTimeout(), null, c);
    }
    if (c instanceof HttpTimeoutException) {
      return StreamException.timeout(
          StreamState.WAITING_FIRST_TOKEN, config.firstTokenTimeout(), requestId(), c);
    }
    if (c instanceof ConnectException) {
      return new StreamException(ErrorKind.CONNECTION, "Could not connect to " + host + ": " + c.getMessage(), StreamException.NO_STATUS, null, c);
    }
    if (c instanceof IOException || c instanceof CancellationException) {
      HttpResponse.ResponseInfo info = response;
      return new StreamException(ErrorKind.CONNECTION, "The connection to " + host + " failed: " + c,
          info == null ? StreamException.NO_STATUS : info.statusCode(),
          requestId(),
          c);
    }
    return new StreamException(
        ErrorKind.UNKNOWN,
        "The HTTP exchange failed unexpectedly: " + c,
        StreamException.NO_STATUS,
        requestId(),
        c);
  }

  private @Nullable String requestId() {
    ChunkDecoder d = decoder;
    if (d != null && d.requestId() != null) {
      return d.requestId();
    }
    HttpResponse.ResponseInfo info = response;
    return info == null ? null : Headers.requestId(info.headers());
  }

  private StreamEmitter emitter() {
    StreamEmitter e = emitter;
    if (e == null) {
      throw new IllegalStateException("not started");
    }
    return e;
  }

  private ChunkDecoder decoder() {
    ChunkDecoder d = decoder;
    if (d == null) {
      throw new IllegalStateException("no decoder");
    }
    return d;
  }

  private SseScanner scanner() {
    SseScanner s = scanner;
    if (s == null) {
      throw new IllegalStateException("no scanner");
    }
    return s;
  }

  @Override
  public String toString() {
    return "GroqStreamSource[model=" + model + ", endpoint=" + config.endpoint() + "]";
  }

  // ------------------------------------------------------------------ signals

  private interface AttemptSignal {
    int attempt();
  }

  private record Start(StreamEmitter emitter) {}

  private enum Pull {
    INSTANCE
  }

  private enum Cancel {
    INSTANCE
  }

  private record HeadersArrived(int attempt, HttpResponse.ResponseInfo info) implements AttemptSignal {}

  private record Subscribed(int attempt, Flow.Subscription subscription) implements AttemptSignal {}

  private record Data(int attempt, List<ByteBuffer> buffers) implements AttemptSignal {}

  private record Complete(int attempt) implements AttemptSignal {}

  private record Failed(int attempt, Throwable error) implements AttemptSignal {}

  private record Timer(int attempt) implements AttemptSignal {}

  private record RetryDue(int attempt) implements AttemptSignal {}

  /** Forwards the body's signals into the loop. */
  private final class BodySubscriber implements HttpResponse.BodySubscriber<Void> {
    private final int attempt;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    BodySubscriber(int attempt) {
      this.attempt = attempt;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      post(new Subscribed(attempt, subscription));
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      post(new Data(attempt, item));
    }

    @Override
    public void onError(Throwable throwable) {
      done.completeExceptionally(throwable);
      post(new Failed(attempt, throwable));
    }

    @Override
    public void onComplete() {
      done.complete(null);
      post(new Complete(attempt));
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> getBody() {
      return done;
    }
  }
}
