package dev.llmstream.groq.internal;

import dev.llmstream.core.StreamScheduler;
import dev.llmstream.groq.GroqDefaults;
import dev.llmstream.groq.internal.SourceSignals.Timer;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The watchdog of one request: the first-token timeout from sending it, then the idle timeout between
 * content events (only while waiting for the network: the subscriber's time does not count), and the
 * short grace a finished answer waits for its usage, whatever else arrives. One timer at a time, on the
 * provider's scheduler; it posts a {@link Timer} signal and {@link #verdict} says what it means. Owned by
 * {@link GroqStreamSource}'s loop; not thread-safe.
 *
 * <p>The timer is lazy, like Netty's {@code IdleStateHandler}: progress only records when it happened, and
 * an expired timer re-arms itself for what is left. It is armed when the request is sent, for the shorter of
 * the two timeouts, so the first token finds a watchdog already armed that fires no later than the idle
 * timeout needs: nothing is scheduled or cancelled on the first token's path (a cancel and a schedule there
 * cost ~40 µs of first-token latency on a loaded 2-vCPU machine), and whoever sees the first token also sees
 * the watchdog that applies to it (a test on a virtual clock advances time as soon as it sees the token).
 */
final class AttemptTimer {
  /** How long a finished answer waits for a trailing usage chunk, whatever else arrives meanwhile. */
  static final Duration FINISH_GRACE = Duration.ofMillis(GroqDefaults.FINISH_GRACE_MILLIS);
  private static final long NEVER = Long.MIN_VALUE;

  /** What an expired timer means. */
  enum Verdict {
    /** Re-armed: not yet. */
    WAIT,
    /** The finished answer's grace is over: complete it without its usage. */
    FINISH,
    /** The server was silent too long. */
    TIMED_OUT
  }

  private final StreamScheduler clock;
  private final Consumer<Object> post;
  private @Nullable Future<?> timer;
  /** When the armed timer fires (on {@link StreamScheduler#nanoTime()}); meaningless while none is. */
  private long deadline;
  private int attempt;
  private long sentAt;
  /** When the last progress was made: events decoded, or a pull (the subscriber's time is not counted). */
  private long lastActivity;
  private long finishSeenAt = NEVER;

  AttemptTimer(StreamScheduler clock, Consumer<Object> post) {
    this.clock = clock;
    this.post = post;
  }

  /**
   * A request of exchange {@code a} was sent: the first-token timeout starts. The timer fires after the
   * shorter of the two timeouts, so that it needs no re-arming at the first token ({@link #firstToken}).
   */
  void sent(int a, Duration firstTokenTimeout, Duration idleTimeout) {
    long now = clock.nanoTime();
    sentAt = now;
    lastActivity = now;
    finishSeenAt = NEVER;
    arm(a, firstTokenTimeout.compareTo(idleTimeout) <= 0 ? firstTokenTimeout : idleTimeout);
  }

  /**
   * The first token arrived: from now on the idle timeout applies. The timer armed by {@link #sent} already
   * fires within it, so it is kept (and {@link #verdict} re-arms it for what is left); it is re-armed here
   * only if none is armed or it would fire too late.
   */
  void firstToken(int a, Duration idleTimeout) {
    lastActivity = clock.nanoTime();
    if (timer == null || attempt != a || deadline - lastActivity > idleTimeout.toNanos()) {
      arm(a, idleTimeout);
    }
  }

  /** Progress (events decoded, or a pull). */
  void activity() {
    lastActivity = clock.nanoTime();
  }

  /** The answer's content is complete: wait at most {@link #FINISH_GRACE} for its usage. */
  void finishSeen() {
    if (finishSeenAt == NEVER) {
      finishSeenAt = clock.nanoTime();
      arm(attempt, FINISH_GRACE);
    }
  }

  /** (Re-)arms the one timer of exchange {@code a}. */
  void arm(int a, Duration delay) {
    cancel();
    attempt = a;
    deadline = clock.nanoTime() + delay.toNanos();
    timer = clock.schedule(delay, () -> post.accept(new Timer(a)));
  }

  /**
   * What the expired timer means; re-arms it when it is too early.
   *
   * @param finishPending whether the answer's content is complete (its usage awaited)
   * @param limit the timeout that applies (first token, or idle after it)
   * @param sinceFirstToken whether the first token arrived (the idle timeout counts from the last activity)
   * @param awaitingNetwork whether the exchange waits for the server (else the subscriber has no demand)
   * @return the verdict
   */
  Verdict verdict(boolean finishPending, Duration limit, boolean sinceFirstToken, boolean awaitingNetwork) {
    timer = null;
    long now = clock.nanoTime();
    if (finishPending) {
      long grace = FINISH_GRACE.toNanos() - (now - finishSeenAt);
      if (grace > 0) {
        arm(attempt, Duration.ofNanos(grace));
        return Verdict.WAIT;
      }
      return Verdict.FINISH;
    }
    if (!awaitingNetwork) {
      arm(attempt, limit); // the subscriber has no demand: not the server's fault
      return Verdict.WAIT;
    }
    long since = sinceFirstToken ? lastActivity : sentAt;
    long remaining = limit.toNanos() - (now - since);
    if (remaining > 0) {
      arm(attempt, Duration.ofNanos(remaining));
      return Verdict.WAIT;
    }
    return Verdict.TIMED_OUT;
  }

  void cancel() {
    Future<?> t = timer;
    timer = null;
    if (t != null) {
      t.cancel(false);
    }
  }
}
