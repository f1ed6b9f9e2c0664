package dev.llmstream.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
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
 */
public final class CancellationToken {
  private static final Logger LOG = LoggerFactory.getLogger(CancellationToken.class);

  private final Object lock = new Object();
  private boolean cancelled; // guarded by lock
  private volatile boolean cancelledFlag;
  private LinkedHashSet<Runnable> listeners = new LinkedHashSet<>(); // guarded by lock

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
      toRun = new ArrayList<>(listeners);
      listeners = new LinkedHashSet<>();
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
   * @return a registration whose {@link Registration#close()} removes the listener (streams do so when
   *     they end, so a long-lived token does not collect listeners)
   * @throws NullPointerException if {@code listener} is null
   */
  public Registration onCancel(Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (lock) {
      if (!cancelled) {
        listeners.add(listener);
        return () -> {
          synchronized (lock) {
            listeners.remove(listener);
          }
        };
      }
    }
    run(listener);
    return () -> {};
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

  /** A listener registration; closing it is idempotent and thread-safe. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    /** Removes the listener if it has not run yet. */
    @Override
    void close();
  }
}
