package dev.llmstream.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Flow.Subscriber} that records every signal and checks the Reactive Streams rules, modelled on
 * OkHttp's {@code EventSourceRecorder}. Waits are bounded and fail with an {@link AssertionError}:
 *
 * <pre>{@code
 * TestSubscriber<StreamEvent> sub = TestSubscriber.create();     // unbounded demand
 * provider.stream(request).subscribe(sub);
 * sub.awaitTerminal(Duration.ofSeconds(5)).assertNoViolations();
 * StreamAssertions.assertThat(sub).completed().hasText("Hello");
 *
 * TestSubscriber<StreamEvent> slow = TestSubscriber.withInitialRequest(0); // demand by hand
 * stream.subscribe(slow);
 * slow.request(2);
 * slow.awaitCount(2, Duration.ofSeconds(5));
 * slow.cancel();
 * }</pre>
 *
 * <p><b>Violations recorded</b> (see {@link #violations()}): a second {@code onSubscribe}, a signal
 * before {@code onSubscribe}, {@code onNext} beyond the requested demand, any signal after a terminal
 * one, two terminal signals, overlapping (concurrent or re-entrant) signals and null elements. The
 * subscriber records instead of throwing; only a null argument also throws
 * {@link NullPointerException}, as rule 2.13 requires.
 *
 * <p><b>Reacting and timing.</b> {@link #doOnNext(BiConsumer)} runs an action after each element is
 * recorded (request more, cancel when a given event arrives); {@link #timedBy(LongSupplier)} stamps each
 * element with a clock such as a {@link VirtualScheduler}'s {@code nanoTime}, read back with
 * {@link #times()}; {@link #valuesAfterCancel()} counts what arrived after {@link #cancel()}.
 *
 * <p><b>Threads.</b> Thread-safe: signals may arrive on any thread; the query, wait and control methods
 * may be called from any thread. {@link #request(long)} and {@link #cancel()} call the publisher's
 * subscription outside any lock.
 *
 * @param <T> the element type
 */
public final class TestSubscriber<T> implements Flow.Subscriber<T> {
  private final Object lock = new Object();
  private final long initialRequest;
  private final AtomicReference<@Nullable Thread> signalling = new AtomicReference<>();
  private final List<T> values = new ArrayList<>(); // guarded by lock
  private final List<Throwable> errors = new ArrayList<>(); // guarded by lock
  private final List<String> violations = new ArrayList<>(); // guarded by lock
  private final List<String> signals = new ArrayList<>(); // guarded by lock
  private final List<Long> times = new ArrayList<>(); // guarded by lock
  private int valuesAfterCancel; // guarded by lock
  private volatile @Nullable BiConsumer<? super TestSubscriber<T>, ? super T> onNextAction;
  private volatile @Nullable LongSupplier clock;
  private final CompletableFuture<Void> terminal = new CompletableFuture<>();
  private int completions; // guarded by lock
  private long demand; // guarded by lock; Long.MAX_VALUE = unbounded
  private boolean terminated; // guarded by lock
  private boolean cancelled; // guarded by lock
  private Flow.@Nullable Subscription subscription; // guarded by lock

  private TestSubscriber(long initialRequest) {
    this.initialRequest = initialRequest;
  }

  /**
   * A subscriber that requests {@link Long#MAX_VALUE} (unbounded) on subscribe.
   *
   * @param <T> the element type
   * @return a new subscriber
   */
  public static <T> TestSubscriber<T> create() {
    return new TestSubscriber<>(Long.MAX_VALUE);
  }

  /**
   * A subscriber that requests {@code n} on subscribe; {@code 0} requests nothing until
   * {@link #request(long)} is called.
   *
   * @param n the initial demand, {@code >= 0}
   * @param <T> the element type
   * @return a new subscriber
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public static <T> TestSubscriber<T> withInitialRequest(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, was " + n);
    }
    return new TestSubscriber<>(n);
  }

  /**
   * Runs {@code action} after each element is recorded, on the signalling thread and outside this
   * subscriber's lock, so it may {@link #request(long)} or {@link #cancel()}; set it before subscribing.
   * What it throws propagates to the publisher (which must then cancel and may signal {@code onError}).
   *
   * @param action receives this subscriber and the element
   * @return this subscriber
   * @throws NullPointerException if {@code action} is null
   */
  public TestSubscriber<T> doOnNext(BiConsumer<? super TestSubscriber<T>, ? super T> action) {
    this.onNextAction = Objects.requireNonNull(action, "action");
    return this;
  }

  /**
   * Stamps each element with {@code clock} as it arrives (see {@link #times()}); set it before
   * subscribing. With a {@link VirtualScheduler} ({@code clock::nanoTime}) the stamps are exact virtual
   * times.
   *
   * @param clock the time source, in nanoseconds
   * @return this subscriber
   * @throws NullPointerException if {@code clock} is null
   */
  public TestSubscriber<T> timedBy(LongSupplier clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean owner = enter("onSubscribe");
    try {
      if (s == null) {
        violation("onSubscribe(null) (rule 2.13)");
        throw new NullPointerException("onSubscribe(null) (rule 2.13)");
      }
      boolean duplicate;
      boolean cancelNow;
      synchronized (lock) {
        signals.add("onSubscribe");
        duplicate = subscription != null;
        if (!duplicate) {
          subscription = s;
        }
        cancelNow = cancelled;
      }
      if (duplicate) {
        violation("onSubscribe called twice (rule 2.5)");
        s.cancel();
        return;
      }
      if (cancelNow) {
        s.cancel();
      } else if (initialRequest > 0) {
        request(initialRequest);
      }
    } finally {
      exit(owner);
    }
  }

  @Override
  public void onNext(T item) {
    boolean owner = enter("onNext");
    try {
      LongSupplier c = clock;
      long at = c == null ? 0 : c.getAsLong(); // outside the lock: the clock has its own
      synchronized (lock) {
        signals.add("onNext");
        if (item == null) {
          violations.add("onNext(null) (rule 2.13)");
          throw new NullPointerException("onNext(null) (rule 2.13)");
        }
        if (subscription == null) {
          violations.add("onNext before onSubscribe (rule 1.9)");
        }
        if (terminated) {
          violations.add("onNext after terminal signal: " + item + " (rule 1.7)");
        } else if (demand == 0) {
          violations.add("onNext beyond demand: " + item + " (rule 1.1)");
        } else if (demand != Long.MAX_VALUE) {
          demand--;
        }
        values.add(item);
        if (c != null) {
          times.add(at);
        }
        if (cancelled) {
          valuesAfterCancel++;
        }
        lock.notifyAll();
      }
      BiConsumer<? super TestSubscriber<T>, ? super T> action = onNextAction;
      if (action != null) {
        action.accept(this, item);
      }
    } finally {
      exit(owner);
    }
  }

  @Override
  public void onError(Throwable throwable) {
    boolean owner = enter("onError");
    try {
      synchronized (lock) {
        signals.add("onError");
        if (throwable == null) {
          violations.add("onError(null) (rule 2.13)");
          throw new NullPointerException("onError(null) (rule 2.13)");
        }
        if (terminated) {
          violations.add("second terminal signal: onError(" + throwable + ") (rule 1.7)");
        }
        terminated = true;
        errors.add(throwable);
        lock.notifyAll();
      }
      terminal.complete(null);
    } finally {
      exit(owner);
    }
  }

  @Override
  public void onComplete() {
    boolean owner = enter("onComplete");
    try {
      synchronized (lock) {
        signals.add("onComplete");
        if (terminated) {
          violations.add("second terminal signal: onComplete (rule 1.7)");
        }
        terminated = true;
        completions++;
        lock.notifyAll();
      }
      terminal.complete(null);
    } finally {
      exit(owner);
    }
  }

  /**
   * Requests {@code n} more elements from the publisher.
   *
   * @param n the demand to add; must be positive (a non-positive value is passed on, to test the
   *     publisher's rule 3.9)
   * @return this subscriber
   * @throws IllegalStateException if not subscribed yet
   */
  public TestSubscriber<T> request(long n) {
    Flow.Subscription s;
    synchronized (lock) {
      s = subscription;
      if (s == null) {
        throw new IllegalStateException("not subscribed yet: request(" + n + ")");
      }
      if (n > 0) {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
    }
    s.request(n); // outside the lock: the publisher may signal synchronously
    return this;
  }

  /**
   * Cancels the subscription (now, or as soon as {@code onSubscribe} arrives). Idempotent.
   *
   * @return this subscriber
   */
  public TestSubscriber<T> cancel() {
    Flow.Subscription s;
    synchronized (lock) {
      cancelled = true;
      s = subscription;
    }
    if (s != null) {
      s.cancel();
    }
    return this;
  }

  /**
   * A future completed (normally, whichever the signal) when the first terminal signal arrives, for tests
   * that combine it with other events; not completed by {@link #cancel()}.
   *
   * @return the future
   */
  public CompletableFuture<Void> whenTerminated() {
    return terminal;
  }

  /**
   * Waits for the stream to complete.
   *
   * @param timeout the longest wait
   * @return this subscriber
   * @throws AssertionError if no terminal signal arrived in time, or the stream failed (its error is the
   *     cause)
   */
  public TestSubscriber<T> awaitComplete(Duration timeout) {
    awaitTerminal(timeout);
    synchronized (lock) {
      if (!errors.isEmpty()) {
        throw new AssertionError("expected onComplete but the stream failed after " + values.size()
            + " elements: " + errors.get(0), errors.get(0));
      }
    }
    return this;
  }

  /**
   * Waits for the stream to fail and returns its error.
   *
   * @param timeout the longest wait
   * @return the error of the {@code onError} signal
   * @throws AssertionError if no terminal signal arrived in time, or the stream completed instead
   */
  public Throwable awaitError(Duration timeout) {
    awaitTerminal(timeout);
    synchronized (lock) {
      if (errors.isEmpty()) {
        throw new AssertionError("expected onError but the stream completed after " + values.size()
            + " elements: " + values);
      }
      return errors.get(0);
    }
  }

  /**
   * Waits until a terminal signal ({@code onComplete} or {@code onError}) arrived.
   *
   * @param timeout the longest wait
   * @return this subscriber
   * @throws AssertionError if no terminal signal arrived in time (or the wait was interrupted; the
   *     interrupt flag is restored)
   */
  public TestSubscriber<T> awaitTerminal(Duration timeout) {
    awaitCondition(timeout, () -> terminated, "a terminal signal");
    return this;
  }

  /**
   * Waits until at least {@code n} elements arrived, or a terminal signal.
   *
   * @param n the number of elements
   * @param timeout the longest wait
   * @return this subscriber
   * @throws AssertionError if fewer elements arrived in time, or the stream ended with fewer
   */
  public TestSubscriber<T> awaitCount(int n, Duration timeout) {
    awaitCondition(timeout, () -> values.size() >= n || terminated, n + " elements");
    synchronized (lock) {
      if (values.size() < n) {
        throw new AssertionError(
            "expected " + n + " elements but the stream ended after " + values.size() + ": " + signals);
      }
    }
    return this;
  }

  private void awaitCondition(Duration timeout, java.util.function.BooleanSupplier done, String what) {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!done.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "timed out after " + timeout + " waiting for " + what + "; received " + values.size()
                  + " elements, signals " + summary());
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

  /**
   * The elements received so far, in order (a copy).
   *
   * @return the elements
   */
  public List<T> values() {
    synchronized (lock) {
      return List.copyOf(values);
    }
  }

  /**
   * The time of each element, in the order of {@link #values()}, as read from the clock given to
   * {@link #timedBy(LongSupplier)} (empty without one).
   *
   * @return the times, in the clock's nanoseconds (a copy)
   */
  public List<Long> times() {
    synchronized (lock) {
      return List.copyOf(times);
    }
  }

  /**
   * How many elements arrived after {@link #cancel()} was called (rule 3.12 allows a few in flight; our
   * publishers deliver none).
   *
   * @return the count
   */
  public int valuesAfterCancel() {
    synchronized (lock) {
      return valuesAfterCancel;
    }
  }

  /**
   * The errors received (normally zero or one; more is a violation), in order (a copy).
   *
   * @return the errors
   */
  public List<Throwable> errors() {
    synchronized (lock) {
      return List.copyOf(errors);
    }
  }

  /**
   * The first error received, or {@code null}.
   *
   * @return the error or {@code null}
   */
  public @Nullable Throwable error() {
    synchronized (lock) {
      return errors.isEmpty() ? null : errors.get(0);
    }
  }

  /**
   * Whether {@code onComplete} arrived.
   *
   * @return {@code true} if completed
   */
  public boolean isCompleted() {
    synchronized (lock) {
      return completions > 0;
    }
  }

  /**
   * Whether a terminal signal arrived.
   *
   * @return {@code true} if terminated
   */
  public boolean isTerminated() {
    synchronized (lock) {
      return terminated;
    }
  }

  /**
   * Whether {@link #cancel()} was called.
   *
   * @return {@code true} if this subscriber cancelled
   */
  public boolean isCancelled() {
    synchronized (lock) {
      return cancelled;
    }
  }

  /**
   * The names of the signals received, in order ({@code onSubscribe}, {@code onNext}, ...).
   *
   * @return the signal log (a copy)
   */
  public List<String> signals() {
    synchronized (lock) {
      return List.copyOf(signals);
    }
  }

  /**
   * The protocol violations seen so far, described (a copy); empty for a well-behaved publisher.
   *
   * @return the violations
   */
  public List<String> violations() {
    synchronized (lock) {
      return List.copyOf(violations);
    }
  }

  /**
   * Fails if the publisher broke a rule.
   *
   * @return this subscriber
   * @throws AssertionError listing the violations
   */
  public TestSubscriber<T> assertNoViolations() {
    List<String> v = violations();
    if (!v.isEmpty()) {
      throw new AssertionError("Reactive Streams violations: " + v);
    }
    return this;
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "TestSubscriber" + summary();
    }
  }

  private String summary() {
    return "[values=" + values.size() + ", completed=" + (completions > 0) + ", errors=" + errors
        + ", cancelled=" + cancelled + ", violations=" + violations + "]";
  }

  /** Returns true if this call owns the signal; re-entrance on the same thread (rule 3.3) is allowed. */
  private boolean enter(String signal) {
    Thread me = Thread.currentThread();
    if (signalling.compareAndSet(null, me)) {
      return true;
    }
    if (signalling.get() != me) {
      violation("concurrent signals: " + signal + " while another thread was signalling (rule 1.3)");
    }
    return false;
  }

  private void exit(boolean owner) {
    if (owner) {
      signalling.set(null);
    }
  }

  private void violation(String description) {
    synchronized (lock) {
      violations.add(description);
      lock.notifyAll();
    }
  }
}
