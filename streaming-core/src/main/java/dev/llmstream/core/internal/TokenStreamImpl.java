package dev.llmstream.core.internal;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link TokenStream} implementation. Everything the subscriber sees, and every state transition,
 * happens in one {@link SerialDrain} (whichever thread triggers it runs it, others only leave a note),
 * under its exception policy: a listener's throwable is logged and ignored, a subscriber that throws
 * from {@code onNext} is cancelled (rule 2.13), anything else that escapes fails the stream with one
 * {@code onError}. No lock is held while calling the subscriber, the listeners or the source.
 */
public final class TokenStreamImpl implements TokenStream {
  private static final Logger LOG = LoggerFactory.getLogger(TokenStreamImpl.class);

  /** Upper bound on queued events: far above what one network read produces. */
  public static final int MAX_QUEUED = 16_384;

  private final StreamSource source;
  private final CancellationToken token;
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private final CopyOnWriteArrayList<BiConsumer<StreamState, StreamState>> listeners = new CopyOnWriteArrayList<>();
  private final Emitter emitter = new Emitter();

  private final Object lock = new Object();
  // guarded by lock
  private final ArrayDeque<StreamEvent> queue = new ArrayDeque<>();
  private boolean sourceDone;
  private @Nullable Throwable sourceError;
  private final AnswerAccumulator accumulator = new AnswerAccumulator();

  private final SerialDrain drain = SerialDrain.inline("TokenStream", this::pass, this::drainFailed);
  private final DemandSubscription subscription = new DemandSubscription(drain);
  private volatile StreamState state = StreamState.CONNECTING;
  private volatile boolean tokenCancelled;
  private volatile boolean pulling;
  private volatile boolean terminated;
  private volatile Flow.@Nullable Subscriber<? super StreamEvent> newSubscriber;

  // owned by the drain loop
  private @Nullable Runnable tokenRegistration;
  private boolean subscribed;
  private Flow.@Nullable Subscriber<? super StreamEvent> downstream;
  private boolean started;
  private boolean sourceCancelled;
  private boolean finishDelivered;

  /**
   * Creates a stream; nothing happens until it is subscribed.
   *
   * @param source the provider's source, started on subscribe
   * @param token cancels the stream from any thread
   */
  public TokenStreamImpl(StreamSource source, CancellationToken token) {
    this.source = source;
    this.token = token;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super StreamEvent> subscriber) {
    if (subscriber == null) {
      throw new NullPointerException("subscriber"); // Reactive Streams rule 1.9
    }
    if (!subscribedOnce.compareAndSet(false, true)) {
      Signals.rejectSecondSubscriber(
          subscriber,
          "A TokenStream is single-use and already has a subscriber: "
              + "ask the provider for a new stream to get another answer",
          LOG);
      return;
    }
    newSubscriber = subscriber;
    drain.drain(); // onSubscribe runs first in the loop, so no signal can overtake it
  }

  private void tokenCancelled() {
    tokenCancelled = true;
    drain.drain();
  }

  @Override
  public StreamState state() {
    return state;
  }

  @Override
  public TokenStream onStateChange(BiConsumer<StreamState, StreamState> listener) {
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

  /** One pass of the drain loop: onSubscribe first, then whatever the notes ask for. */
  private void pass() {
    if (!subscribed) {
      Flow.Subscriber<? super StreamEvent> s = newSubscriber;
      if (s == null) {
        return;
      }
      subscribed = true;
      newSubscriber = null;
      downstream = s;
      // registered here, so a token cancelled already only leaves a note for the next pass
      tokenRegistration = token.onCancel(this::tokenCancelled);
      try {
        s.onSubscribe(subscription);
      } catch (Throwable t) {
        LOG.warn("Subscriber.onSubscribe threw; the stream is cancelled (Reactive Streams rule 2.13)", t);
        subscription.cancel();
      }
    }
    if (!terminated) {
      drainOnce();
    } else {
      synchronized (lock) {
        queue.clear();
      }
    }
  }

  /** The drain's failure handler: a throwable escaped a pass (a bug, or user code not caught where called). */
  private void drainFailed(Throwable t) {
    if (!terminated) {
      cancelSource();
      terminate(StreamState.FAILED, FinishReason.ERROR);
    }
    if (downstream != null) {
      signalError(wrap(t));
    }
  }

  private void drainOnce() {
    if (subscription.isCancelled()) {
      cancelSource();
      terminate(StreamState.CANCELLED, FinishReason.CANCELLED);
      downstream = null; // Reactive Streams rule 3.13
      return;
    }
    Throwable badRequest = subscription.requestError();
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
      if (subscription.requested() > 0 && deliver(StreamEvent.Finish.of(FinishReason.CANCELLED))) {
        subscription.consume(1);
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
    long r = subscription.requested();
    long e = 0;
    while (e != r && !subscription.isCancelled() && !tokenCancelled) {
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
    subscription.consume(e);
    if (subscription.isCancelled() || tokenCancelled) {
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
    } else if (empty && !pulling && subscription.requested() > 0) {
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
    for (BiConsumer<StreamState, StreamState> l : listeners) {
      SerialDrain.callListener(LOG, "stream state listener", () -> l.accept(from, next));
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
    Runnable reg = tokenRegistration;
    if (reg != null) {
      reg.run();
    }
  }

  private void signalComplete() {
    Flow.Subscriber<? super StreamEvent> s = downstream;
    downstream = null;
    Signals.complete(s, LOG);
  }

  private void signalError(Throwable error) {
    if (error instanceof StreamException se) {
      CoreAccess.attachPartial(se, partial());
    }
    Flow.Subscriber<? super StreamEvent> s = downstream;
    downstream = null;
    Signals.error(s, error, LOG);
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
              new StreamException(ErrorKind.LIMIT_EXCEEDED, "The source queued more than "
                      + MAX_QUEUED
                      + " undelivered events; it does not honour pull()",
                  StreamException.NO_STATUS,
                  null,
                  null);
        } else {
          queue.add(event);
        }
      }
      drain.drain();
    }

    @Override
    public void pullDone() {
      pulling = false;
      drain.drain();
    }

    @Override
    public void complete() {
      synchronized (lock) {
        sourceDone = true;
      }
      drain.drain();
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
      drain.drain();
    }

    @Override
    public boolean isCancelled() {
      return terminated || subscription.isCancelled() || tokenCancelled;
    }
  }
}
