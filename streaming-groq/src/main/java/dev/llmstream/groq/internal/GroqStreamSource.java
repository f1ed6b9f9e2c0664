package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.internal.StreamTraceImpl;
import dev.llmstream.core.spi.Recovery;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import dev.llmstream.groq.GroqResponseInfo;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
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
  /** How long a finished answer waits for a trailing usage chunk, whatever else arrives meanwhile. */
  static final Duration FINISH_GRACE = Duration.ofSeconds(2);
  private static final long NEVER = Long.MIN_VALUE;
  private static final int MAX_REDIRECTS = 3;

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
  private final RequestBudget budget;
  private final boolean afterContent;
  private final boolean recoveryMayFollow;
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
  private @Nullable BodyInflater inflater;
  private final BodyInflater.Sink scanPlain = (bytes, from, to) -> scanner().scan(bytes, from, to, this::onSseEvent);
  private int redirects;
  private @Nullable ChunkDecoder decoder;
  private BoundedBody errorBody = new BoundedBody(MAX_ERROR_BODY);
  private StreamScheduler.@Nullable Cancellable timer;
  private StreamScheduler.@Nullable Cancellable retryTimer;
  private boolean waitingSent;
  private boolean firstToken;
  private long sentAt;
  /** When the last progress was made: events decoded, or a pull (the subscriber's time is not counted). */
  private long lastActivity;
  private long finishSeenAt = NEVER;
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
   * @param budget the requests the answer may still cost, shared by its attempts
   * @param afterContent whether this is a recovery attempt (the answer had started)
   * @param recoveryMayFollow whether the recovery policy would make another attempt after this one
   */
  public GroqStreamSource(
      GroqConfig config,
      String model,
      byte[] requestBody,
      boolean emitWaiting,
      RequestBudget budget,
      boolean afterContent,
      boolean recoveryMayFollow) {
    this.config = config;
    this.budget = budget;
    this.afterContent = afterContent;
    this.recoveryMayFollow = recoveryMayFollow;
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
      lastActivity = config.scheduler().nanoTime(); // the time before a pull was the subscriber's
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
        onAttemptFailed(Failures.map(config, f.error, response, requestId()), -1, null);
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
    if (!budget.take()) {
      terminate(budget.exhausted(null));
      return;
    }
    phase = Phase.SENDING;
    scanner = new SseScanner(config.maxLineLength(), config.limits().maxEventBytes());
    decoder = null;
    inflater = null;
    response = null;
    notEventStream = false;
    body = null;
    bodyRequested = false;
    ahead = null;
    endBehindAhead = null;
    errorBody = new BoundedBody(MAX_ERROR_BODY);
    firstToken = false;
    finishSeenAt = NEVER;
    HttpRequest request = httpRequest;
    if (request == null) {
      request = HttpRequests.build(config, config.endpoint(), requestBody);
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

  private void onHeaders(HttpResponse.ResponseInfo info) {
    response = info;
    int status = info.statusCode();
    HttpHeaders headers = info.headers();
    String requestId = Headers.requestId(headers);
    notifyResponse(new GroqResponseInfo(status, requestId, Headers.rateLimit(headers), model, attempt));
    if (status / 100 == 3 && followRedirect(status, headers)) {
      return;
    }
    if (status / 100 != 2) {
      phase = Phase.ERROR_BODY;
      return;
    }
    try {
      inflater = BodyInflater.forEncoding(headers.firstValue("content-encoding").orElse(null));
    } catch (StreamException e) {
      onAttemptFailed(e, -1, null); // an encoding we cannot read: not retried, not recovered
      return;
    }
    GroqConfig.Limits limits = config.limits();
    decoder =
        new ChunkDecoder(
            config.mapper(), status, requestId, limits.maxAnswerChars(), limits.maxToolArgumentChars());
    String type = headers.firstValue("content-type").orElse("text/event-stream");
    if (!type.trim().toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
      notEventStream = true;
      // a 2xx JSON body may be a whole answer (a server that did not stream): up to one event's size
      errorBody = new BoundedBody(Math.max(MAX_ERROR_BODY, config.limits().maxEventBytes()));
      phase = Phase.ERROR_BODY;
      return;
    }
    phase = Phase.STREAMING;
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

  /**
   * Follows a 307/308 to the same origin (same method, body and headers; at most {@value #MAX_REDIRECTS}
   * times). Any other redirect fails the attempt naming the {@code Location}: the API key is never sent to
   * another origin, and a 301/302/303 would turn the POST into a GET.
   *
   * @return {@code true} if this exchange is over (redirect followed or failed)
   */
  private boolean followRedirect(int status, HttpHeaders headers) {
    String location = headers.firstValue("location").orElse(null);
    HttpRequest current = httpRequest;
    URI from = current == null ? config.endpoint() : current.uri();
    URI to = Redirects.resolve(from, location);
    String refusal = Redirects.refusal(status, from, to, redirects, MAX_REDIRECTS);
    if (refusal == null && to != null) {
      redirects++;
      LOG.debug("Following an HTTP {} redirect to the same origin, path {}", status, to.getRawPath());
      releaseAttempt();
      attempt++; // signals of the redirected exchange are stale
      httpRequest = HttpRequests.build(config, to, requestBody);
      startAttempt();
      return true;
    }
    onAttemptFailed(Redirects.failure(status, location, refusal, Headers.requestId(headers)), -1, null);
    return true;
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
      s.request(1);
    }
  }

  private void onData(List<ByteBuffer> buffers) {
    bodyRequested = false;
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
        BodyInflater inf = inflater;
        if (inf != null) {
          inf.inflate(b, scanPlain);
        } else {
          sc.feed(b, listener);
        }
        if (d.isDone()) {
          break;
        }
      }
    } catch (StreamException e) {
      failure = e;
    }
    noteFirstToken(d);
    if (!out.isEmpty()) {
      lastActivity = config.scheduler().nanoTime(); // progress: comments and empty chunks are not
    }
    emitOut();
    noteFinishPending(d);
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

  /** The content is complete, a trailing usage chunk may follow: wait for it briefly, whatever else comes. */
  private void noteFinishPending(ChunkDecoder d) {
    if (finishSeenAt == NEVER && d.isFinishPending()) {
      finishSeenAt = config.scheduler().nanoTime();
      arm(FINISH_GRACE);
    }
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
    Flow.Subscription s = body;
    if (errorBody.append(buffers)) {
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
      if (notEventStream && deliverWholeAnswer(headers)) {
        return;
      }
      if (notEventStream) {
        error = HttpErrors.notEventStream(config.mapper(), status, headers, errorBody.bytes(), errorBody.length());
        onAttemptFailed(error, -1, null);
      } else {
        error = HttpErrors.forStatus(config.mapper(), status, headers, errorBody.bytes(), errorBody.length(), model);
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

  /**
   * A 2xx body that is one complete {@code chat.completion} (the server ignored {@code stream: true}):
   * delivered as a one-chunk answer.
   *
   * @return {@code true} if it was one (the stream completed or failed on its content)
   */
  private boolean deliverWholeAnswer(HttpHeaders headers) {
    ChunkDecoder d = decoder;
    out.clear();
    StreamException failure = null;
    try {
      if (d == null || !NonStreamingAnswer.decode(
          config.mapper(), inflater, errorBody.bytes(), errorBody.length(), config.limits().maxEventBytes(), d, out)) {
        return false;
      }
    } catch (StreamException e) {
      failure = e; // a whole answer over a limit, say
    }
    LOG.info(
        "The server at {} did not stream (it answered with one {} object, ignoring stream: true);"
            + " the answer is delivered in one piece",
        config.endpoint().getHost(), headers.firstValue("content-type").orElse("JSON"));
    phase = Phase.STREAMING;
    emitOut();
    if (failure != null) {
      onAttemptFailed(failure, -1, null);
    } else {
      succeed();
    }
    return true;
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
    ChunkDecoder d = decoder;
    if (phase == Phase.STREAMING && d != null && d.isFinishPending()) {
      // the answer's content is complete (finish reason seen, usage awaited): whatever went wrong after it
      // (a cut, garbage, an over-long line, a timeout) does not turn it into a failure
      LOG.debug("Completing a finished answer without its usage after {}", error.kind());
      out.clear();
      d.finishNow(out);
      emitOut();
      succeed();
      return;
    }
    releaseAttempt();
    out.clear();
    boolean wantsRetry = !firstToken && retries < config.maxRetries()
        && retryRules.shouldRetry(error, httpStatus, headers) && !RetryRules.silentAfterHeaders(error, response);
    if (wantsRetry && budget.hasMore()) {
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
    // a retry, or a recovery that would follow, cut by the request cap: the cap is what ends the answer
    boolean recoveryCut =
        recoveryMayFollow && (firstToken || afterContent) && Recovery.isRecoverable(error);
    terminate(!budget.hasMore() && (wantsRetry || recoveryCut) ? budget.exhausted(error) : error);
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
    ChunkDecoder d = decoder;
    if (phase == Phase.STREAMING && d != null && d.isFinishPending()) {
      // the answer is complete but for its usage: a short grace whatever arrives (comments included)
      long grace = FINISH_GRACE.toNanos() - (now - finishSeenAt);
      if (grace > 0) {
        arm(Duration.ofNanos(grace));
        return;
      }
      out.clear();
      d.finishNow(out);
      emitOut();
      succeed();
      return;
    }
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
    BodyInflater inf = inflater;
    inflater = null;
    if (inf != null) {
      inf.close();
    }
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
