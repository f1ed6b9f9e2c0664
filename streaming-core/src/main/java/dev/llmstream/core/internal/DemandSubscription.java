package dev.llmstream.core.internal;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Flow.Subscription} every publisher hands out: demand accounting (added with a cap at
 * {@link Long#MAX_VALUE}, which then means unbounded), the cancel flag, and the rule 3.9 error for
 * {@code request(n <= 0)}. Each call records its note and then runs the publisher's {@link SerialDrain},
 * which reads the notes; so {@code request} and {@code cancel} are cheap, non-blocking, safe from any
 * thread and re-entrant (rules 3.2, 3.3, 3.5).
 *
 * <p>Read the demand before the cancel flag ({@link #requested()}, then {@link #isCancelled()}): a
 * {@code request(n)} made after {@code cancel()} (rule 3.6: a no-op) is then seen together with the
 * cancel, and nothing is delivered for it. Thread-safe.
 */
public final class DemandSubscription implements Flow.Subscription {
  private final AtomicLong requested = new AtomicLong();
  private final SerialDrain drain;
  private volatile boolean cancelled;
  private volatile @Nullable IllegalArgumentException requestError;

  /**
   * Creates a subscription that runs {@code drain} after every signal.
   *
   * @param drain the publisher's drain
   */
  public DemandSubscription(SerialDrain drain) {
    this.drain = drain;
  }

  @Override
  public void request(long n) {
    if (n <= 0) {
      if (requestError == null) {
        requestError =
            new IllegalArgumentException("Reactive Streams rule 3.9: request(n) needs n > 0, was " + n);
      }
    } else {
      for (; ; ) {
        long r = requested.get();
        if (r == Long.MAX_VALUE) {
          break;
        }
        long u = r + n;
        if (requested.compareAndSet(r, u < 0 ? Long.MAX_VALUE : u)) {
          break;
        }
      }
    }
    drain.drain();
  }

  @Override
  public void cancel() {
    cancelled = true;
    drain.drain();
  }

  /**
   * The outstanding demand.
   *
   * @return how many items may still be delivered ({@link Long#MAX_VALUE}: unbounded)
   */
  public long requested() {
    return requested.get();
  }

  /**
   * Takes {@code n} delivered items off the demand, unless it is unbounded.
   *
   * @param n how many were delivered
   */
  public void consume(long n) {
    if (n == 0) {
      return;
    }
    for (; ; ) {
      long r = requested.get();
      if (r == Long.MAX_VALUE || requested.compareAndSet(r, r - n)) {
        return;
      }
    }
  }

  /**
   * Whether the subscriber cancelled.
   *
   * @return {@code true} after {@link #cancel()}
   */
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * The rule 3.9 error to signal, if the subscriber requested a non-positive amount.
   *
   * @return the error, or {@code null}
   */
  public @Nullable IllegalArgumentException requestError() {
    return requestError;
  }
}
