package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import dev.llmstream.groq.GroqResponseInfo;
import dev.llmstream.groq.internal.SourceSignals.*;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;
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
 * ({@code StreamSource.recovering}, by the retry model) whether it is worth another attempt: the body ending before a
 * finish reason or {@code [DONE]}, or the connection failing, is a {@code CONNECTION} error; silence
 * after the first token a {@code TIMEOUT} error (IDLE); an {@code event: error} an
 * {@code UPSTREAM} error (retryable as {@code StreamException.isRetryable()} says); a malformed stream a
 * {@code PROTOCOL} error and an over-long line a {@code LIMIT_EXCEEDED} error (never recovered).
 * The provider wraps one instance per attempt in a recovering source.
 *
 * <p><b>Parts.</b> This class is the loop and its phases; the rest sits behind pure seams, each owned by the
 * loop: {@link SignalLoop} (the serial inbox), {@link SourceSignals} (its messages), {@link HttpExchange}
 * (sending, redirects, the response listener), {@link ReadAhead} (the body subscription one buffer ahead),
 * {@link BodyDecoding} (bytes to events, error bodies to typed errors), {@link AttemptTimer} (first-token,
 * idle and finish-grace timeouts), {@link RequestRetries} (the retries before the first token, decided and
 * run by the core's retry model through {@code StreamSource.retryBeforeFirstToken}) and {@link Failures} (what
 * the retry model is told about a failure).
 */
public final class GroqStreamSource extends SignalLoop implements StreamSource {
  private static final Logger LOG = LoggerFactory.getLogger(GroqStreamSource.class);

  private enum Phase { NEW, SENDING, STREAMING, ERROR_BODY, BACKOFF, DONE }

  private final GroqConfig config;
  private final String model;
  private final boolean emitWaiting;
  private final RequestRetries retries;
  private final AttemptTimer timer;
  private final Runnable firstTokenNow = this::emitFirstToken;
  private final ReadAhead read = new ReadAhead();
  private final BodyDecoding dec;
  private final HttpExchange http;
  private final List<StreamEvent> out;
  private final RequestBudget budget;
  private final boolean afterContent;
  private final boolean recoveryMayFollow;

  // ---- owned by the drain loop
  private @Nullable StreamEmitter emitter;
  private Phase phase = Phase.NEW;
  private int attempt;
  private boolean pullPending;
  private HttpResponse.@Nullable ResponseInfo response;
  private boolean waitingSent;
  private boolean firstToken;

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
  public GroqStreamSource(GroqConfig config, String model, byte[] requestBody, boolean emitWaiting,
      RequestBudget budget, boolean afterContent, boolean recoveryMayFollow) {
    this.config = config;
    this.budget = budget;
    this.afterContent = afterContent;
    this.recoveryMayFollow = recoveryMayFollow;
    this.model = model;
    this.emitWaiting = emitWaiting;
    this.retries = new RequestRetries(config, budget);
    this.dec = new BodyDecoding(config, model);
    this.http = new HttpExchange(config, requestBody, this::post);
    this.out = dec.out;
    this.timer = new AttemptTimer(config.scheduler(), this::post);
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

  @Override
  void onUnexpected(Throwable t) {
    LOG.warn("Unexpected failure in the Groq stream", t);
    terminate(t instanceof StreamException se ? se : new StreamException(ErrorKind.UNKNOWN,
        "The Groq stream failed unexpectedly: " + t, StreamException.NO_STATUS, requestId(), t));
  }

  @Override
  void handle(Object s) {
    if (s instanceof Start st) {
      emitter = st.emitter();
      attempt = 1;
      retries.start(this::post); // the first attempt is posted at once, retries after their delays
      return;
    }
    if (s == Cancel.INSTANCE) {
      phase = Phase.DONE;
      releaseAll();
      return;
    }
    if (phase == Phase.DONE) {
      if (s instanceof Subscribed sub) {
        sub.subscription().cancel();
      }
      return;
    }
    if (s == Pull.INSTANCE) {
      pullPending = true;
      timer.activity(); // the time before a pull was the subscriber's
      List<ByteBuffer> a = phase == Phase.STREAMING ? read.take() : null;
      if (a != null) {
        decode(a);
        Object end = read.takeEnd();
        if (end != null && phase == Phase.STREAMING) {
          handle(end); // the body ended behind the buffer just decoded
        }
      } else {
        requestMore();
      }
      return;
    }
    if (s instanceof AttemptSignal a && a.attempt() != attempt) {
      if (s instanceof Subscribed sub) {
        sub.subscription().cancel(); // a late body of an abandoned attempt
      }
      return;
    }
    if (s instanceof HeadersArrived h) {
      onHeaders(h.info());
    } else if (s instanceof Subscribed sub) {
      onSubscribed(sub.subscription());
    } else if (s instanceof Data d) {
      onData(d.buffers());
    } else if ((s instanceof Complete || s instanceof Failed) && read.holding() && phase == Phase.STREAMING) {
      read.holdEnd(s); // deliver what was read first; handled when the read-ahead buffer is decoded
    } else if (s instanceof Complete) {
      onBodyComplete();
    } else if (s instanceof Failed f) {
      if (phase == Phase.SENDING || phase == Phase.STREAMING || phase == Phase.ERROR_BODY) {
        read.ended();
        onAttemptFailed(Failures.map(config, f.error(), response, requestId()), -1, null);
      }
    } else if (s instanceof Timer) {
      onTimer();
    } else if (s instanceof AttemptDue due) {
      if (phase == Phase.NEW || phase == Phase.BACKOFF) {
        retries.attemptStarted(due);
        startAttempt();
      }
    } else if (s instanceof RetriesOver over) {
      if (phase == Phase.BACKOFF) {
        terminate(retries.finalError(over.error(), recoveryMayFollow && (firstToken || afterContent), requestId()));
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
    dec.reset();
    response = null;
    read.release();
    firstToken = false;
    timer.sent(attempt, config.firstTokenTimeout(), config.idleTimeout());
    http.send(attempt);
  }

  private void onHeaders(HttpResponse.ResponseInfo info) {
    response = info;
    int status = info.statusCode();
    HttpHeaders headers = info.headers();
    String requestId = Headers.requestId(headers);
    http.notify(new GroqResponseInfo(status, requestId, Headers.rateLimit(headers), model, attempt));
    if (status / 100 == 3) {
      StreamException refused = http.redirect(status, headers);
      if (refused != null) {
        onAttemptFailed(refused, -1, null);
        return;
      }
      releaseAttempt();
      attempt++; // signals of the redirected exchange are stale
      startAttempt();
      return;
    }
    if (status / 100 != 2) {
      phase = Phase.ERROR_BODY;
      return;
    }
    try {
      if (!dec.begin(status, headers, requestId)) {
        phase = Phase.ERROR_BODY; // collected whole: perhaps one answer that was not streamed
        return;
      }
    } catch (StreamException e) {
      onAttemptFailed(e, -1, null); // an encoding we cannot read: not retried, not recovered
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

  private void onSubscribed(Flow.Subscription s) {
    read.subscribed(s);
    if (phase == Phase.ERROR_BODY) {
      read.readNext();
    } else {
      requestMore();
    }
  }

  private void requestMore() {
    if (phase == Phase.STREAMING) {
      read.readAhead(); // one read is kept ahead of demand: requested whenever no buffer is in hand
    }
  }

  private void onData(List<ByteBuffer> buffers) {
    read.received();
    if (phase == Phase.ERROR_BODY) {
      collectErrorBody(buffers);
      return;
    }
    if (phase != Phase.STREAMING) {
      return;
    }
    if (!pullPending) {
      read.hold(buffers); // read ahead of demand: decoded on the next pull
      return;
    }
    decode(buffers);
  }

  /** Decodes one body buffer while a pull is pending, emits its events and asks for the next buffer. */
  private void decode(List<ByteBuffer> buffers) {
    ChunkDecoder d = dec.requireDecoder();
    boolean tokenPending = !firstToken;
    if (tokenPending) {
      dec.onFirstToken(firstTokenNow); // the first token goes out before the rest of its buffer is decoded
    }
    StreamException failure = dec.feed(buffers);
    dec.onFirstToken(null);
    boolean emittedEarly = tokenPending && firstToken;
    noteFirstToken(d);
    if (!out.isEmpty()) {
      timer.activity(); // progress: comments and empty chunks are not
    }
    emitOut();
    if (tokenPending && firstToken) {
      // no retry from now on: the execution ends. After the token is handed on, not before: ending it
      // completes the execution's stages (~12 µs measured on the first token's path), and nothing can
      // fail in between (this loop runs one signal at a time)
      retries.firstToken();
    }
    if (d.isFinishPending()) {
      timer.finishSeen(); // the content is complete, a trailing usage chunk may follow: wait briefly
    }
    if (d.isDone()) {
      // the answer is complete (Finish emitted): bytes after it in the same read (an over-long line,
      // say) are not part of it and must not turn it into a failure
      succeed();
    } else if (failure != null) {
      onAttemptFailed(failure, -1, null);
    } else if ((emittedEarly || !out.isEmpty()) && pullPending) {
      pullPending = false;
      out.clear();
      requestMore(); // read the next buffer while the subscriber handles these events
      emitter().pullDone();
    } else {
      out.clear();
      requestMore();
    }
  }

  /**
   * Inside {@link BodyDecoding#feed}: emits the events up to the first token at once. The watchdog that
   * applies from now on is already armed (it was armed at sending for the shorter timeout, see
   * {@link AttemptTimer}), so whoever sees the token also sees it, and nothing is scheduled on this path.
   */
  private void emitFirstToken() {
    noteFirstToken(dec.requireDecoder());
    timer.activity();
    emitOut();
    out.clear();
  }

  private void noteFirstToken(ChunkDecoder d) {
    if (!firstToken && d.sawToken()) {
      firstToken = true;
      d.reportModel(emitter()); // for a listener's trace
      timer.firstToken(attempt, config.idleTimeout()); // from now on the idle timeout applies
    }
  }

  private void collectErrorBody(List<ByteBuffer> buffers) {
    if (dec.collect(buffers)) {
      read.release();
      onBodyComplete();
    } else {
      read.readNext();
    }
  }

  private void onBodyComplete() {
    read.ended();
    if (phase == Phase.ERROR_BODY) {
      HttpResponse.ResponseInfo info = response;
      int status = info == null ? StreamException.NO_STATUS : info.statusCode();
      HttpHeaders headers = info == null ? HttpHeaders.of(java.util.Map.of(), (a, b) -> true) : info.headers();
      if (dec.notEventStream() && deliverWholeAnswer(headers)) {
        return;
      }
      boolean http = !dec.notEventStream();
      onAttemptFailed(dec.error(status, headers), http ? status : -1, http ? headers : null);
      return;
    }
    if (phase != Phase.STREAMING) {
      return;
    }
    endWith(dec.end());
  }

  /** Emits what was decoded, then completes, or fails the attempt with {@code failure}. */
  private void endWith(@Nullable StreamException failure) {
    emitOut();
    if (failure != null) {
      onAttemptFailed(failure, -1, null);
    } else {
      succeed();
    }
  }

  /** The answer's content is complete: whatever went wrong after it, it completes without its usage. */
  private void finishWithoutUsage(ChunkDecoder d) {
    out.clear();
    d.finishNow(out);
    emitOut();
    succeed();
  }

  /**
   * A 2xx body that is one complete {@code chat.completion} (the server ignored {@code stream: true}):
   * delivered as a one-chunk answer.
   *
   * @return {@code true} if it was one (the stream completed or failed on its content)
   */
  private boolean deliverWholeAnswer(HttpHeaders headers) {
    BodyDecoding.WholeAnswer whole = dec.wholeAnswer(headers);
    if (whole == null) {
      return false;
    }
    phase = Phase.STREAMING;
    endWith(whole.failure()); // a whole answer over a limit, say
    return true;
  }

  private void emitOut() {
    for (StreamEvent ev : out) {
      emitter().next(ev);
    }
  }

  private void succeed() {
    phase = Phase.DONE;
    out.clear();
    // a body still open ([DONE] or the final chunk came before its end) is read to its end, not cancelled:
    // the connection is kept for the next request (within the finish grace; cancelled after it)
    read.drain();
    http.drain(AttemptTimer.FINISH_GRACE);
    releaseAll();
    emitter().complete();
  }

  private void onAttemptFailed(StreamException error, int httpStatus, @Nullable HttpHeaders headers) {
    ChunkDecoder d = dec.decoder();
    if (phase == Phase.STREAMING && d != null && d.isFinishPending()) {
      // the answer's content is complete (finish reason seen, usage awaited): whatever went wrong after it
      // (a cut, garbage, an over-long line, a timeout) does not turn it into a failure
      LOG.debug("Completing a finished answer without its usage after {}", error.kind());
      finishWithoutUsage(d);
      return;
    }
    Exception failure = Failures.attemptFailure(error, httpStatus, headers, firstToken, response);
    releaseAttempt();
    out.clear();
    phase = Phase.BACKOFF;
    attempt++; // signals of the failed attempt are stale
    if (retries.failed(failure)) { // the retry policy decides: a retry is posted later, or RetriesOver
      emitter().retrying(); // for a listener's trace
    }
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

  private void onTimer() {
    if (phase != Phase.SENDING && phase != Phase.STREAMING && phase != Phase.ERROR_BODY) {
      return;
    }
    ChunkDecoder d = dec.decoder();
    boolean finishPending = phase == Phase.STREAMING && d != null && d.isFinishPending();
    Duration limit = firstToken ? config.idleTimeout() : config.firstTokenTimeout();
    boolean awaitingNetwork = phase != Phase.STREAMING || read.awaitingNetwork();
    switch (timer.verdict(finishPending, limit, firstToken, awaitingNetwork)) {
      // the answer is complete but for its usage: the grace is over whatever arrived (comments included)
      case FINISH -> finishWithoutUsage(dec.requireDecoder());
      case TIMED_OUT -> onAttemptFailed(StreamException.timeout(
          firstToken ? StreamState.STREAMING : StreamState.WAITING_FIRST_TOKEN, limit, requestId(), null), -1, null);
      default -> { }
    }
  }

  // ------------------------------------------------------------------ release

  private void releaseAttempt() {
    dec.close(); // the decoder keeps its request id and usage for error messages
    timer.cancel();
    read.release();
    http.cancel();
  }

  private void releaseAll() {
    releaseAttempt();
    retries.cancel(); // a retry waiting for its delay is not made
    attempt++; // whatever is still in flight is now stale
  }

  // ------------------------------------------------------------------ helpers

  private @Nullable String requestId() {
    return dec.requestId(response);
  }

  private StreamEmitter emitter() {
    return Objects.requireNonNull(emitter, "not started");
  }

  @Override
  public String toString() {
    return "GroqStreamSource[model=" + model + ", endpoint=" + config.endpoint() + "]";
  }
}
