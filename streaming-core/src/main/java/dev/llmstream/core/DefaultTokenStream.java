package dev.llmstream.core;

import dev.llmstream.core.internal.Demand;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link TokenStream} implementation. Everything the subscriber sees, and every state transition,
 * happens in a single serial drain loop (the "work-in-progress" counter pattern): whichever thread
 * triggers it runs it, others only leave a note. No lock is held while calling the subscriber, the
 * listeners or the source.
 */
final class DefaultTokenStream implements TokenStream {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultTokenStream.class);

  /** Upper bound on queued events: far above what one network read produces. */
  static final int MAX_QUEUED = 16_384;

  private final StreamSource source;
  private final CancellationToken token;
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private final CopyOnWriteArrayList<StreamStateListener> listeners = new CopyOnWriteArrayList<>();
  private final Emitter emitter = new Emitter();

  private final Object lock = new Object();
  // guarded by lock
  private final ArrayDeque<StreamEvent> queue = new ArrayDeque<>();
  private boolean sourceDone;
  private @Nullable Throwable sourceError;
  private final AnswerAccumulator accumulator = new AnswerAccumulator();

  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicLong requested = new AtomicLong();
  private volatile StreamState state = StreamState.CONNECTING;
  private volatile boolean cancelled;
  private volatile boolean tokenCancelled;
  private volatile boolean pulling;
  private volatile boolean terminated;
  private volatile @Nullable Throwable requestError;
  private volatile CancellationToken.@Nullable Registration tokenRegistration;

  // owned by the drain loop
  private Flow.@Nullable Subscriber<? super StreamEvent> downstream;
  private boolean started;
  private boolean sourceCancelled;
  private boolean finishDelivered;

  DefaultTokenStream(StreamSource source, CancellationToken token) {
    this.source = source;
    this.token = token;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super StreamEvent> subscriber) {
    if (subscriber == null) {
      throw new NullPointerException("subscriber"); // Reactive Streams rule 1.9
    }
    if (!subscribedOnce.compareAndSet(false, true)) {
      rejectSecondSubscriber(subscriber);
      return;
    }
    downstream = subscriber;
    // Hold the drain loop while onSubscribe runs: a request(n) or a token cancel during onSubscribe only
    // leaves a note, and the loop runs right after, so no signal can overtake onSubscribe.
    wip.set(1);
    tokenRegistration = token.onCancel(this::tokenCancelled);
    try {
      subscriber.onSubscribe(new Subscription());
    } catch (Throwable t) {
      LOG.warn("Subscriber.onSubscribe threw; the stream is cancelled (Reactive Streams rule 2.13)", t);
      cancelled = true;
    }
    drainLoop();
  }

  private static void rejectSecondSubscriber(Flow.Subscriber<? super StreamEvent> subscriber) {
    try {
      subscriber.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
      subscriber.onError(
          new IllegalStateException(
              "A TokenStream is single-use and already has a subscriber: "
                  + "ask the provider for a new stream to get another answer"));
    } catch (Throwable t) {
      LOG.warn("Rejected subscriber threw", t);
    }
  }

  private void tokenCancelled() {
    tokenCancelled = true;
    drain();
  }

  @Override
  public StreamState state() {
    return state;
  }

  @Override
  public TokenStream onStateChange(StreamStateListener listener) {
    if (listener == null) {
      throw new NullPointerException("listener");
    }
    listeners.add(listener);
    return this;
  }

  @Override
  public ChatResponse partial() {
    synchronized (lock) {
      return accumulator.snapshot();
    }
  }

  @Override
  public CompletableFuture<ChatResponse> collect() {
    CompletableFuture<ChatResponse> future = new CompletableFuture<>();
    subscribe(
        new Flow.Subscriber<StreamEvent>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            future.whenComplete(
                (r, t) -> {
                  if (future.isCancelled()) {
                    s.cancel();
                  }
                });
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(StreamEvent item) {
            // the stream folds the answer itself
          }

          @Override
          public void onError(Throwable throwable) {
            future.completeExceptionally(throwable);
          }

          @Override
          public void onComplete() {
            future.complete(partial());
          }
        });
    return future;
  }

  // ---------------------------------------------------------------------------------------------
  // The drain loop

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    drainLoop();
  }

  /** Runs the loop; the caller owns one unit of {@link #wip}. */
  private void drainLoop() {
    int missed = 1;
    for (; ; ) {
      if (!terminated) {
        drainOnce();
      } else {
        synchronized (lock) {
          queue.clear();
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  private void drainOnce() {
    if (cancelled) {
      cancelSource();
      terminate(StreamState.CANCELLED, FinishReason.CANCELLED);
      downstream = null; // Reactive Streams rule 3.13
      return;
    }
    Throwable badRequest = requestError;
    if (badRequest != null) {
      cancelSource();
      terminate(StreamState.FAILED, FinishReason.ERROR);
      signalError(badRequest);
      return;
    }
    if (tokenCancelled && !finishDelivered) {
      cancelSource();
      synchronized (lock) {
        queue.clear();
      }
      StreamException deadline = token.deadlineError();
      if (deadline != null) { // cancelAfter: a typed TIMEOUT with the partial answer, not a cancel
        terminate(StreamState.FAILED, FinishReason.ERROR);
        signalError(deadline);
        return;
      }
      if (requested.get() > 0 && deliver(StreamEvent.Finish.of(FinishReason.CANCELLED))) {
        Demand.consume(requested, 1);
        terminate(StreamState.CANCELLED, FinishReason.CANCELLED);
        signalComplete();
      }
      return; // without demand the cancelled finish waits for request(n)
    }
    if (!started) {
      started = true;
      try {
        source.start(emitter);
      } catch (Throwable t) {
        emitter.fail(t);
      }
    }
    long r = requested.get();
    long e = 0;
    while (e != r && !cancelled && !tokenCancelled) {
      StreamEvent event;
      synchronized (lock) {
        event = queue.poll();
      }
      if (event == null) {
        break;
      }
      if (!deliver(event)) {
        return;
      }
      e++;
    }
    if (e != 0) {
      Demand.consume(requested, e);
    }
    if (cancelled || tokenCancelled) {
      return; // whoever set the flag also called drain(), so the loop comes round again
    }
    boolean empty;
    boolean done;
    Throwable error;
    synchronized (lock) {
      empty = queue.isEmpty();
      done = sourceDone;
      error = sourceError;
    }
    if (empty && done) {
      if (error == null) {
        terminate(StreamState.COMPLETED, null);
        signalComplete();
      } else {
        terminate(StreamState.FAILED, FinishReason.ERROR);
        signalError(error);
      }
    } else if (empty && !pulling && requested.get() > 0) {
      pulling = true;
      try {
        source.pull();
      } catch (Throwable t) {
        emitter.fail(t);
      }
    }
  }


  /** Delivers one event; returns false if the subscriber threw (the stream is then over). */
  private boolean deliver(StreamEvent event) {
    synchronized (lock) {
      accumulator.accept(event);
    }
    advanceFor(event);
    if (event instanceof StreamEvent.Finish) {
      finishDelivered = true;
    }
    Flow.Subscriber<? super StreamEvent> s = downstream;
    if (s == null) {
      return false;
    }
    try {
      s.onNext(event);
      return true;
    } catch (Throwable t) {
      LOG.warn("Subscriber.onNext threw; the stream is cancelled (Reactive Streams rule 2.13)", t);
      cancelSource();
      terminate(StreamState.FAILED, FinishReason.ERROR);
      downstream = null;
      return false;
    }
  }

  private void advanceFor(StreamEvent event) {
    if (event instanceof StreamEvent.Waiting) {
      moveTo(StreamState.WAITING_FIRST_TOKEN);
    } else if (event instanceof StreamEvent.TextDelta
        || event instanceof StreamEvent.ReasoningDelta
        || event instanceof StreamEvent.ToolCallDelta
        || event instanceof StreamEvent.Replaced) {
      moveTo(StreamState.STREAMING);
    } else if (event instanceof StreamEvent.Recovering) {
      moveTo(StreamState.RECOVERING);
    }
  }

  private void moveTo(StreamState next) {
    StreamState from = state;
    if (!from.canMoveTo(next)) {
      return; // e.g. a second token while STREAMING: no transition
    }
    state = next;
    for (StreamStateListener l : listeners) {
      try {
        l.onStateChange(from, next);
      } catch (RuntimeException e) {
        LOG.warn("Exception thrown by stream state listener", e);
      }
    }
  }

  private void terminate(StreamState finalState, @Nullable FinishReason reason) {
    terminated = true;
    synchronized (lock) {
      queue.clear();
      if (reason != null) {
        accumulator.finish(reason);
      }
    }
    moveTo(finalState);
    CancellationToken.Registration reg = tokenRegistration;
    if (reg != null) {
      reg.close();
    }
  }

  private void signalComplete() {
    Flow.Subscriber<? super StreamEvent> s = downstream;
    downstream = null;
    if (s != null) {
      try {
        s.onComplete();
      } catch (Throwable t) {
        LOG.warn("Subscriber.onComplete threw (Reactive Streams rule 2.13)", t);
      }
    }
  }

  private void signalError(Throwable error) {
    if (error instanceof StreamException se) {
      se.attachPartial(partial());
    }
    Flow.Subscriber<? super StreamEvent> s = downstream;
    downstream = null;
    if (s != null) {
      try {
        s.onError(error);
      } catch (Throwable t) {
        LOG.warn("Subscriber.onError threw (Reactive Streams rule 2.13)", t);
      }
    }
  }

  private void cancelSource() {
    if (started && !sourceCancelled) {
      sourceCancelled = true;
      boolean done;
      synchronized (lock) {
        done = sourceDone;
        sourceDone = true;
      }
      if (!done) {
        try {
          source.cancel();
        } catch (Throwable t) {
          LOG.warn("StreamSource.cancel threw", t);
        }
      }
    }
  }

  private static StreamException wrap(Throwable t) {
    if (t instanceof StreamException se) {
      return se;
    }
    String what = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    return new StreamException(
        ErrorKind.UNKNOWN, "The stream failed unexpectedly: " + what, StreamException.NO_STATUS, null, t);
  }

  @Override
  public String toString() {
    return "TokenStream[state=" + state + "]";
  }

  private final class Subscription implements Flow.Subscription {
    @Override
    public void request(long n) {
      if (n <= 0) {
        requestError = Demand.nonPositive(n);
      } else {
        Demand.add(requested, n);
      }
      drain();
    }

    @Override
    public void cancel() {
      cancelled = true;
      drain();
    }
  }

  private final class Emitter implements StreamEmitter {
    @Override
    public void next(StreamEvent event) {
      if (event == null) {
        throw new NullPointerException("event");
      }
      if (terminated) {
        return;
      }
      synchronized (lock) {
        if (sourceDone) {
          return;
        }
        if (queue.size() >= MAX_QUEUED) {
          sourceDone = true;
          sourceError =
              new LimitExceededException(
                  "The source queued more than "
                      + MAX_QUEUED
                      + " undelivered events; it does not honour pull()",
                  StreamException.NO_STATUS,
                  null,
                  null);
        } else {
          queue.add(event);
        }
      }
      drain();
    }

    @Override
    public void pullDone() {
      pulling = false;
      drain();
    }

    @Override
    public void complete() {
      synchronized (lock) {
        sourceDone = true;
      }
      drain();
    }

    @Override
    public void fail(Throwable error) {
      StreamException wrapped = wrap(error);
      synchronized (lock) {
        if (!sourceDone) {
          sourceDone = true;
          sourceError = wrapped;
        }
      }
      drain();
    }

    @Override
    public boolean isCancelled() {
      return terminated || cancelled || tokenCancelled;
    }
  }
}
