package dev.llmstream.core.internal;

import dev.llmstream.core.StreamScheduler;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The stall clock of one answer: fires once when no content has arrived for {@code stall} while the
 * subscriber had a pull outstanding (time without demand is the subscriber's, not the server's, and does
 * not count). One timer at a time on the injected scheduler; when it fires early (content came, or the
 * clock was paused) it is armed again for the time left. Thread-safe; the callback runs outside the lock,
 * on the scheduler's thread.
 */
final class StallWatchdog {
  private static final long PAUSED = Long.MIN_VALUE;

  private final StreamScheduler scheduler;
  private final Duration stall;
  private final Consumer<Duration> onStall;
  private final Object lock = new Object();

  // guarded by lock
  private long lastProgress;
  private long demandLostAt = PAUSED;
  private @Nullable Future<?> timer;
  private boolean stopped;

  StallWatchdog(StreamScheduler scheduler, Duration stall, Consumer<Duration> onStall) {
    this.scheduler = scheduler;
    this.stall = stall;
    this.onStall = onStall;
  }

  /** Starts the clock; it is paused until the first pull. */
  void start() {
    synchronized (lock) {
      lastProgress = scheduler.nanoTime();
      demandLostAt = lastProgress;
    }
    arm(stall);
  }

  /** Content arrived. */
  void progress() {
    long now = scheduler.nanoTime();
    synchronized (lock) {
      lastProgress = now;
    }
  }

  /** The subscriber has (true) or no longer has (false) a pull outstanding. */
  void demand(boolean outstanding) {
    long now = scheduler.nanoTime();
    synchronized (lock) {
      if (outstanding && demandLostAt != PAUSED) {
        lastProgress += now - demandLostAt;
        demandLostAt = PAUSED;
      } else if (!outstanding && demandLostAt == PAUSED) {
        demandLostAt = now;
      }
    }
  }

  /** The answer ended: no more firing. Idempotent. */
  void stop() {
    Future<?> t;
    synchronized (lock) {
      stopped = true;
      t = timer;
      timer = null;
    }
    if (t != null) {
      t.cancel(false);
    }
  }

  private void arm(Duration delay) {
    Future<?> t = scheduler.schedule(delay, this::fire);
    boolean over;
    synchronized (lock) {
      over = stopped;
      if (!over) {
        timer = t;
      }
    }
    if (over) {
      t.cancel(false);
    }
  }

  private void fire() {
    long now = scheduler.nanoTime();
    Duration again;
    synchronized (lock) {
      timer = null;
      if (stopped) {
        return;
      }
      long remaining = stall.toNanos() - (now - lastProgress);
      if (demandLostAt != PAUSED) {
        again = stall; // paused: look again later; the pause is added when demand returns
      } else if (remaining > 0) {
        again = Duration.ofNanos(remaining);
      } else {
        stopped = true;
        again = null;
      }
    }
    if (again != null) {
      arm(again);
    } else {
      onStall.accept(stall);
    }
  }
}
