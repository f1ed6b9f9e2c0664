package dev.llmstream.core.internal;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.UiConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buffer of {@code UiConnection.buffer} and {@code UiConnection.connect}. All buffer state is owned by one {@link SerialDrain} (and its exception
 * policy: whatever escapes a pass fails the buffer with one {@code onError}): upstream signals land in a small inbox (at most one event, as the buffer requests one at a
 * time), downstream requests in a counter, timer expiries only re-run the loop, which decides everything
 * from the scheduler's clock. No lock is held while calling the downstream.
 */
public final class StreamBufferImpl implements Flow.Processor<StreamEvent, StreamEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(StreamBufferImpl.class);

  private final UiConfig config;
  private final StreamScheduler scheduler;
  private final BufferProbe probe;
  private final long windowNanos;
  private final Duration window;
  private final int maxBatch;
  private final int maxPending;
  private final UiConfig.Boundary boundary;

  // signals from other threads
  private final ConcurrentLinkedQueue<StreamEvent> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Flow.@Nullable Subscription> upstream = new AtomicReference<>();
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private volatile Flow.@Nullable Subscriber<? super StreamEvent> newSubscriber;
  private volatile boolean upstreamDone;
  private volatile @Nullable Throwable upstreamError;
  private final SerialDrain drain = SerialDrain.inline("StreamBuffer", this::drainOnce, this::drainFailed);
  private final DemandSubscription demand = new DemandSubscription(drain);

  // owned by the drain loop
  private Flow.@Nullable Subscriber<? super StreamEvent> downstream;
  private boolean terminated;
  private boolean cancelUpstreamPending;
  private int outstanding;
  private final ArrayDeque<Item> ready = new ArrayDeque<>(4);
  private final PendingText pending = new PendingText();
  private boolean everFlushed;
  private long lastFlushAt;
  private boolean holding;
  private long holdUntil;
  private boolean coalesce;
  private @Nullable Future<?> timer;
  private long timerAt;

  /**
   * Creates a buffer.
   *
   * @param config the configuration, with the clock and timer
   * @param probe observer for metrics
   */
  StreamBufferImpl(UiConfig config, BufferProbe probe) {
    this.config = config;
    this.scheduler = config.scheduler();
    this.probe = probe;
    this.window = config.window();
    this.windowNanos = config.window().toNanos();
    this.maxBatch = config.maxBatchChars();
    this.maxPending = config.maxPendingChars();
    this.boundary = config.boundary();
  }

  /**
   * A buffer without a probe.
   *
   * @param config how to batch, and the clock and timer for the window
   */
  public StreamBufferImpl(UiConfig config) {
    this(config, BufferProbe.NONE);
  }

  /**
   * {@code UiConnection.buffer}: the events of {@code upstream} through a new buffer per subscriber.
   *
   * @param upstream the stream to smooth
   * @param config how to batch
   * @return the buffered publisher
   */
  public static Flow.Publisher<StreamEvent> buffer(
      Flow.Publisher<? extends StreamEvent> upstream, UiConfig config) {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(config, "config");
    return subscriber -> {
      Objects.requireNonNull(subscriber, "subscriber"); // Reactive Streams rule 1.9
      StreamBufferImpl b = new StreamBufferImpl(config);
      b.subscribe(subscriber);
      upstream.subscribe(b);
    };
  }

  /**
   * The configuration of this buffer.
   *
   * @return the configuration
   */
  public UiConfig config() {
    return config;
  }

  /**
   * Characters this buffer copied so far (into the pending batch and out of it), for tests that check
   * the work stays linear. Read it after the stream ended or from the drain's thread.
   *
   * @return the count
   */
  public long charsCopied() {
    return pending.charsCopied();
  }

  // ---------------------------------------------------------------------------------------------
  // Publisher side

  @Override
  public void subscribe(Flow.Subscriber<? super StreamEvent> subscriber) {
    if (subscriber == null) {
      throw new NullPointerException("subscriber"); // Reactive Streams rule 1.9
    }
    if (!subscribed.compareAndSet(false, true)) {
      Signals.rejectSecondSubscriber(
          subscriber, "A StreamBuffer supports one subscriber and already has one", LOG);
      return;
    }
    newSubscriber = subscriber;
    drain();
  }

  // ---------------------------------------------------------------------------------------------
  // Subscriber side (upstream signals are serial)

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    if (subscription == null) {
      throw new NullPointerException("subscription"); // rule 2.13
    }
    if (!upstream.compareAndSet(null, subscription)) {
      subscription.cancel(); // rule 2.5
      return;
    }
    drain();
  }

  @Override
  public void onNext(StreamEvent item) {
    if (item == null) {
      throw new NullPointerException("item"); // rule 2.13
    }
    inbox.add(item);
    drain();
  }

  @Override
  public void onError(Throwable throwable) {
    if (throwable == null) {
      throw new NullPointerException("throwable"); // rule 2.13
    }
    upstreamError = throwable;
    upstreamDone = true;
    drain();
  }

  @Override
  public void onComplete() {
    upstreamDone = true;
    drain();
  }

  // ---------------------------------------------------------------------------------------------
  // The drain loop

  private void drain() {
    drain.drain();
  }

  /** The drain's failure handler: a throwable escaped a pass (a bug, or user code not caught where called). */
  private void drainFailed(Throwable t) {
    if (!terminated) {
      terminate(true);
    }
    signalError(t); // no-op when the downstream already had its terminal signal
  }

  private void drainOnce() {
    if (terminated) {
      inbox.clear();
      if (cancelUpstreamPending) {
        Flow.Subscription up = upstream.get();
        if (up != null) {
          cancelUpstreamPending = false;
          up.cancel();
        }
      }
      return;
    }
    if (downstream == null) {
      Flow.Subscriber<? super StreamEvent> s = newSubscriber;
      if (s == null) {
        return; // upstream signals wait in the inbox until someone subscribes
      }
      downstream = s;
      newSubscriber = null;
      try {
        s.onSubscribe(demand);
      } catch (Throwable t) {
        LOG.warn("Subscriber.onSubscribe threw; the buffer is cancelled (Reactive Streams rule 2.13)", t);
        demand.cancel();
      }
    }
    if (demand.isCancelled()) {
      terminate(true);
      downstream = null; // rule 3.13
      return;
    }
    Throwable badRequest = demand.requestError();
    if (badRequest != null) {
      terminate(true);
      signalError(badRequest);
      return;
    }
    // Read the terminal flag before the inbox: an upstream's events happen-before its terminal signal.
    boolean done = upstreamDone;
    long now = scheduler.nanoTime();
    StreamEvent in;
    while ((in = inbox.poll()) != null) {
      outstanding--;
      absorb(in, now);
    }

    long budget = demand.requested();
    long emitted = 0;
    while (emitted < budget && !ready.isEmpty()) {
      Item item = ready.poll();
      if (!emit(item.event, item.oldestArrival, item.deltas, now)) {
        return;
      }
      emitted++;
    }
    if (ready.isEmpty() && pending.length() > 0) {
      long n = flushText(budget - emitted, now, done);
      if (n < 0) {
        return;
      }
      emitted += n;
    }
    demand.consume(emitted);
    if (demand.isCancelled() || demand.requestError() != null) {
      return; // whoever set the flag also called drain(), so the loop comes round again
    }

    if (done) {
      if (ready.isEmpty() && pending.length() == 0) {
        terminate(false);
        Throwable error = upstreamError;
        if (error == null) {
          signalComplete();
        } else {
          signalError(error);
        }
      }
      return;
    }
    scheduleTimerIfNeeded(now);
    Flow.Subscription up = upstream.get();
    if (up != null && outstanding == 0 && ready.isEmpty() && pending.length() < maxPending) {
      outstanding = 1;
      up.request(1); // may re-enter onNext: that only bumps wip, this loop handles it
    }
  }

  private void absorb(StreamEvent event, long now) {
    try {
      probe.arrived(event, now);
    } catch (Throwable t) { // the listener policy, without a lambda per event
      LOG.warn("Exception thrown by buffer probe; ignored", t);
    }
    if (event instanceof StreamEvent.TextDelta t) {
      append(false, t.text(), now);
    } else if (event instanceof StreamEvent.ReasoningDelta r) {
      append(true, r.text(), now);
    } else {
      movePendingToReady();
      ready.add(new Item(event, now, 0));
    }
  }

  private void append(boolean reasoning, String text, long now) {
    if (pending.length() > 0 && pending.isReasoning() != reasoning) {
      movePendingToReady();
    }
    pending.append(reasoning, text, now);
  }

  private void movePendingToReady() {
    int len = pending.length();
    if (len > 0) {
      long oldest = pending.oldestArrival(0);
      ready.add(new Item(take(len), oldest, pending.takeDeltas()));
    }
  }

  /** Takes the first {@code n} pending characters; a held word fragment is no longer held. */
  private StreamEvent take(int n) {
    holding = false;
    return pending.take(n);
  }

  /**
   * Emits pending text as the rules allow, with at most {@code budget} events.
   *
   * @return the number emitted, or -1 if the downstream went away
   */
  private long flushText(long budget, long now, boolean done) {
    long count = 0;
    while (pending.length() > 0) {
      int len = pending.length();
      boolean due =
          !everFlushed
              || now - lastFlushAt >= windowNanos
              || now - pending.oldestArrival(now) >= windowNanos;
      if (holding && holdUntil - now > 0) {
        due = false; // a word fragment is held on purpose, until it is one window old
      }
      if (budget - count <= 0) {
        if (due || len >= maxBatch) {
          coalesce = true; // the downstream is slow: deliver everything at once when it asks
        }
        break;
      }
      int cut;
      if (done || coalesce) {
        cut = len;
      } else if (due) {
        cut = pending.sizeSafe(Math.min(len, maxBatch));
        boolean leading = !everFlushed || pending.since() - lastFlushAt >= windowNanos;
        if (!leading && boundary != UiConfig.Boundary.NONE) {
          int b = pending.boundaryCut(maxBatch, boundary);
          if (b < cut) {
            long fragmentArrival = pending.arrivalAt(b, now);
            if (now - fragmentArrival < windowNanos) { // young enough to wait for its word's end
              if (b == 0) {
                holding = true;
                holdUntil = fragmentArrival + windowNanos;
                break;
              }
              cut = b;
            }
          }
        }
      } else if (len >= maxBatch) {
        cut = pending.sizeSafe(maxBatch);
        if (boundary != UiConfig.Boundary.NONE) {
          int b = pending.boundaryCut(maxBatch, boundary);
          if (b > 0) {
            cut = b;
          }
        }
      } else {
        break; // wait for the window
      }
      long oldest = pending.oldestArrival(now);
      int deltas = pending.takeDeltas();
      StreamEvent batch = take(cut);
      if (pending.length() > 0) {
        pending.restSince(now); // the rest is never a leading edge
      }
      coalesce = false;
      if (!emit(batch, oldest, deltas, now)) {
        return -1;
      }
      count++;
    }
    return count;
  }

  private void scheduleTimerIfNeeded(long now) {
    if (pending.length() == 0 || !everFlushed) {
      cancelTimer();
      return;
    }
    long deadline =
        holding
            ? holdUntil
            : Math.min(lastFlushAt + windowNanos, pending.oldestArrival(now) + windowNanos);
    if (deadline - now <= 0) {
      cancelTimer(); // due already: the next request re-runs the loop
      return;
    }
    if (timer != null && timerAt == deadline) {
      return;
    }
    cancelTimer();
    timerAt = deadline;
    timer = scheduler.schedule(Duration.ofNanos(deadline - now), this::drain);
  }

  private void cancelTimer() {
    Future<?> t = timer;
    if (t != null) {
      timer = null;
      t.cancel(false);
    }
  }

  /** Hands one event to the downstream; false if it threw or cancelled. */
  private boolean emit(StreamEvent event, long oldestArrival, int deltas, long now) {
    Flow.Subscriber<? super StreamEvent> s = downstream;
    // cancelled is read after the demand: a request(n) made after cancel() (rule 3.6: a no-op) is then
    // seen together with the cancel, and nothing is delivered for it
    if (s == null || demand.isCancelled()) {
      return false;
    }
    if (event instanceof StreamEvent.TextDelta || event instanceof StreamEvent.ReasoningDelta) {
      everFlushed = true;
      lastFlushAt = now;
    }
    try {
      probe.emitting(event, oldestArrival, deltas);
    } catch (Throwable t) { // the listener policy, without a lambda per event
      LOG.warn("Exception thrown by buffer probe; ignored", t);
    }
    try {
      s.onNext(event);
    } catch (Throwable t) {
      LOG.warn("Subscriber.onNext threw; the buffer is cancelled (Reactive Streams rule 2.13)", t);
      terminate(true);
      downstream = null;
      return false;
    }
    return !demand.isCancelled();
  }


  private void terminate(boolean cancelUpstream) {
    terminated = true;
    cancelTimer();
    ready.clear();
    pending.clear();
    inbox.clear();
    if (cancelUpstream && !upstreamDone) {
      Flow.Subscription up = upstream.get();
      if (up != null) {
        up.cancel();
      } else {
        cancelUpstreamPending = true;
      }
    }
  }

  private void signalComplete() {
    Flow.Subscriber<? super StreamEvent> s = downstream;
    downstream = null;
    Signals.complete(s, LOG);
  }

  private void signalError(Throwable error) {
    Flow.Subscriber<? super StreamEvent> s = downstream;
    downstream = null;
    Signals.error(s, error, LOG);
  }

  @Override
  public String toString() {
    return "StreamBuffer[window=" + window.toMillis() + "ms, maxBatchChars=" + maxBatch + "]";
  }

  private record Item(StreamEvent event, long oldestArrival, int deltas) {}
}
