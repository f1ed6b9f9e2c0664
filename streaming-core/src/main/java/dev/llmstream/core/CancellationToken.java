package dev.llmstream.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A caller-owned "Stop" switch for one or many streams.
 *
 * <p>Create one per user action (or per conversation), pass it to
 * {@link ChatProvider#stream(ChatRequest, CancellationToken)}, and call {@link #cancel()} from any thread,
 * typically a UI's Stop button. A stream stopped this way aborts its network exchange, delivers
 * {@link StreamEvent.Finish} with {@link FinishReason#CANCELLED} and completes normally; its partial
 * answer is kept.
 *
 * <p>Thread-safe. {@link #cancel()} is idempotent: only the first call returns {@code true} and runs the
 * listeners, each exactly once, on the calling thread and outside any lock. A listener added after
 * cancellation runs at once on the adding thread. Listener exceptions are logged and do not stop other
 * listeners.
 *
 * <p>{@link #onCancel(Runnable)} and {@link #cancelAfter(Duration, StreamScheduler)} return a plain
 * {@link Runnable} that undoes the registration: running it removes the listener (or disarms the
 * deadline) if it has not fired yet. It is idempotent, thread-safe and never throws; running it after the
 * listener ran does nothing.
 */
public final class CancellationToken {
  private static final Logger LOG = LoggerFactory.getLogger(CancellationToken.class);

  private final Object lock = new Object();
  private boolean cancelled; // guarded by lock
  private volatile boolean cancelledFlag;
  // guarded by lock: the listeners in registration order; the usual token serves one stream, so the first
  // listener is kept in a field and a set is only made for more (one per stream, each ~50 bytes instead
  // of ~250 for an empty LinkedHashSet); single is only set while more is empty, so it always ran first
  private @Nullable Runnable single;
  private @Nullable LinkedHashSet<Runnable> more;
  private volatile @Nullable Duration expiredDeadline; // set before cancel() by a deadline timer

  private CancellationToken() {}

  /**
   * Creates a token that is not cancelled.
   *
   * @return a new token
   */
  public static CancellationToken create() {
    return new CancellationToken();
  }

  /**
   * Cancels every stream this token was given to (and every one it will be given to).
   *
   * @return {@code true} for the call that cancelled the token, {@code false} if it was already cancelled
   */
  public boolean cancel() {
    List<Runnable> toRun;
    synchronized (lock) {
      if (cancelled) {
        return false;
      }
      cancelled = true;
      cancelledFlag = true;
      toRun = new ArrayList<>(1 + (more == null ? 0 : more.size()));
      if (single != null) {
        toRun.add(single);
      }
      if (more != null) {
        toRun.addAll(more);
      }
      single = null;
      more = null;
    }
    for (Runnable r : toRun) {
      run(r);
    }
    return true;
  }

  /**
   * Whether {@link #cancel()} has been called.
   *
   * @return {@code true} once cancelled
   */
  public boolean isCancelled() {
    return cancelledFlag;
  }

  /**
   * Registers {@code listener} to run once when the token is cancelled. If it is already cancelled the
   * listener runs at once, on this thread.
   *
   * @param listener the action to run
   * @return an idempotent action that removes the listener if it has not run yet (streams run it when
   *     they end, so a long-lived token does not collect listeners)
   * @throws NullPointerException if {@code listener} is null
   */
  public Runnable onCancel(Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (lock) {
      if (!cancelled) {
        if (single == null && (more == null || more.isEmpty())) {
          single = listener;
        } else if (single != listener) {
          if (more == null) {
            more = new LinkedHashSet<>();
          }
          more.add(listener);
        }
        return () -> remove(listener);
      }
    }
    run(listener);
    return () -> {};
  }

  private void remove(Runnable listener) {
    synchronized (lock) {
      if (single == listener) {
        single = null;
      } else if (more != null) {
        more.remove(listener);
      }
    }
  }

  /**
   * Cancels this token once {@code timeout} has passed on {@code scheduler}, unless it was cancelled
   * before. Streams given this token then fail with a {@link ErrorKind#TIMEOUT} {@link StreamException}
   * (their partial answer kept in it) instead of ending as cancelled.
   *
   * @param timeout how long the answer may take, greater than zero
   * @param scheduler the clock and timer (a virtual one in tests)
   * @return an idempotent action that disarms the deadline (run it when the answer ended)
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   */
  public Runnable cancelAfter(Duration timeout, StreamScheduler scheduler) {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(scheduler, "scheduler");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be greater than zero, was " + timeout);
    }
    Future<?> timer =
        scheduler.schedule(
            timeout,
            () -> {
              synchronized (lock) {
                if (cancelled) {
                  return;
                }
                expiredDeadline = timeout;
              }
              cancel();
            });
    return () -> timer.cancel(false);
  }

  /**
   * Like {@link #cancelAfter(Duration, StreamScheduler)} on {@link StreamScheduler#system()}.
   *
   * @param timeout how long the answer may take, greater than zero
   * @return an idempotent action that disarms the deadline
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   */
  public Runnable cancelAfter(Duration timeout) {
    return cancelAfter(timeout, StreamScheduler.system());
  }

  /**
   * The error a stream ends with when this token was cancelled by its deadline: a new
   * {@link ErrorKind#TIMEOUT} exception on each call (each stream attaches its own partial answer), or
   * {@code null} if the token is not cancelled or was cancelled by {@link #cancel()}.
   *
   * @return the timeout error, or {@code null}
   */
  public @Nullable StreamException deadlineError() {
    Duration d = expiredDeadline;
    if (d == null) {
      return null;
    }
    return new StreamException(
        ErrorKind.TIMEOUT,
        "The answer did not finish within its deadline of " + d
            + " (CancellationToken.cancelAfter): the partial answer is kept; "
            + "ask again or allow more time",
        StreamException.NO_STATUS,
        null,
        null);
  }

  private static void run(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("Exception thrown by cancellation listener", e);
    }
  }

  @Override
  public String toString() {
    return "CancellationToken[cancelled=" + cancelledFlag + "]";
  }
}
