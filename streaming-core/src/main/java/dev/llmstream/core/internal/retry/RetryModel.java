package dev.llmstream.core.internal.retry;

import dev.failsafe.RetryPolicy;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The one place that decides whether a failed attempt is tried again and how long to wait, for both
 * phases of an answer:
 *
 * <ul>
 *   <li><b>Retry</b>, before the first token: the same request again, with the semantics of Groq's (and
 *       OpenAI's) SDKs: the server's {@code x-should-retry} decides when present; else connection failures,
 *       408, 409, 429 and 5xx are retried, 498 only when configured, other statuses never; a first-token
 *       timeout is retried only when no 2xx response arrived (a silent model would be as silent again). The
 *       delay is the larger of the server's advice ({@code retry-after-ms}/{@code retry-after}) and an
 *       exponential backoff whose jitter only shortens it, capped; a server asking for more than the cap is
 *       not retried (the policy aborts).
 *   <li><b>Recovery</b>, after the first token: a continuation as the {@link RecoveryPolicy} says, for the
 *       failures {@link #isRecoverable} accepts; the delay is {@link RecoveryPolicy#backoff(int)} spread by
 *       &plusmn;{@link RecoveryPolicy#jitter()}.
 * </ul>
 *
 * <p>Both are executed by Failsafe {@link RetryPolicy RetryPolicies} built here, run asynchronously on the
 * stream's {@code StreamScheduler} through {@link dev.llmstream.core.internal.FailsafeScheduler}. What
 * Failsafe cannot express and is therefore done here: its jitter ({@code withJitter}) draws from
 * {@code Math.random()}, which cannot be seeded, so the delay functions apply the jitter themselves from the
 * injected {@link RandomGenerator}; and it has no notion of "the server's advice, but no less than the
 * backoff", which the delay function computes. A cancel is Failsafe's own: cancelling the execution's future
 * cancels the pending delay's timer, so no attempt starts after it (no {@code abortOn} predicate is needed,
 * a cancel is not a recorded failure). Failsafe hands even the first attempt to its scheduler, hence
 * {@link dev.llmstream.core.internal.FailsafeScheduler#startingInline}. Stateless; thread-safe when the
 * random generator is.
 */
public final class RetryModel {
  private RetryModel() {
    throw new AssertionError("no instances");
  }

  /**
   * The backoff curve of one phase.
   *
   * @param initial the first delay
   * @param max the longest delay (before jitter)
   * @param jitter the random spread, 0 to 1
   * @param symmetric {@code true} for a spread of &plusmn;{@code jitter}; {@code false} for jitter that only
   *     shortens the delay, by up to {@code jitter}
   */
  public record Backoff(Duration initial, Duration max, double jitter, boolean symmetric) {
    /**
     * Validates.
     *
     * @param initial the first delay
     * @param max the longest delay (before jitter)
     * @param jitter the random spread, 0 to 1
     * @param symmetric whether the spread goes both ways
     */
    public Backoff {
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(max, "max");
      if (!(jitter >= 0 && jitter <= 1)) {
        throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
      }
    }

    /**
     * The recovery curve of a policy: symmetric jitter.
     *
     * @param policy the recovery policy
     * @return its curve
     */
    public static Backoff of(RecoveryPolicy policy) {
      return new Backoff(policy.initialBackoff(), policy.maxBackoff(), policy.jitter(), true);
    }
  }

  /**
   * The settings of the retries before the first token.
   *
   * @param maxRetries how many retries one request may make
   * @param retryOn498 whether HTTP 498 (flex-tier capacity) is retried
   * @param maxDelay the longest single delay; a server asking for more is not retried
   * @param backoff the curve
   */
  public record RetrySettings(int maxRetries, boolean retryOn498, Duration maxDelay, Backoff backoff) {}

  /**
   * What one failed attempt knows, for the decision before the first token. Carried through Failsafe as the
   * attempt's exception; {@link #error()} is what the stream fails with. Has no stack trace.
   */
  public static final class AttemptFailure extends Exception {
    private static final long serialVersionUID = 1L;
    /** The failure. */
    private final StreamException error;
    /** The status of an HTTP error response, or -1. */
    private final int httpStatus;
    /** The server's {@code x-should-retry}, or {@code null}. */
    private final @Nullable Boolean serverAdvice;
    private final transient @Nullable Duration advisedDelay;
    /** Whether a token had arrived. */
    private final boolean afterFirstToken;
    /** Whether a 2xx response had arrived. */
    private final boolean silentAfterHeaders;

    /**
     * Describes a failed attempt.
     *
     * @param error the failure
     * @param httpStatus the status of an HTTP error response, or -1 if the failure was not one
     * @param serverAdvice the server's {@code x-should-retry}, or {@code null}
     * @param advisedDelay the server's {@code retry-after}, or {@code null}
     * @param afterFirstToken whether a token had arrived (then it is recovery's business)
     * @param silentAfterHeaders whether a 2xx response had arrived (a first-token timeout is then not retried)
     */
    public AttemptFailure(
        StreamException error,
        int httpStatus,
        @Nullable Boolean serverAdvice,
        @Nullable Duration advisedDelay,
        boolean afterFirstToken,
        boolean silentAfterHeaders) {
      super(error.getMessage(), error, false, false);
      this.error = error;
      this.httpStatus = httpStatus;
      this.serverAdvice = serverAdvice;
      this.advisedDelay = advisedDelay;
      this.afterFirstToken = afterFirstToken;
      this.silentAfterHeaders = silentAfterHeaders;
    }

    /**
     * A failure with no HTTP response of its own (a cut, a timeout, a malformed stream).
     *
     * @param error the failure
     * @param afterFirstToken whether a token had arrived
     * @param silentAfterHeaders whether a 2xx response had arrived
     * @return the description
     */
    public static AttemptFailure of(StreamException error, boolean afterFirstToken, boolean silentAfterHeaders) {
      return new AttemptFailure(error, -1, null, null, afterFirstToken, silentAfterHeaders);
    }

    /**
     * The failure the stream ends with when it is not retried.
     *
     * @return the failure
     */
    public StreamException error() {
      return error;
    }

    /**
     * The server's advised delay, or {@code null}.
     *
     * @return the delay
     */
    public @Nullable Duration advisedDelay() {
      return advisedDelay;
    }
  }

  // ------------------------------------------------------------------ which failures

  /**
   * Whether retrying the same request may help, by kind: rate limit, capacity, server, timeout and
   * connection failures are; an {@link ErrorKind#UPSTREAM} error (an error event inside a 200 stream) is
   * when its {@code status} says the server side failed (5xx, 429, 498); nothing else is. The answer of
   * {@link StreamException#isRetryable()}.
   *
   * @param kind the kind
   * @param status the HTTP status, or {@link StreamException#NO_STATUS}
   * @return {@code true} if retryable
   */
  public static boolean isRetryable(ErrorKind kind, int status) {
    switch (kind) {
      case RATE_LIMITED:
      case CAPACITY:
      case SERVER:
      case TIMEOUT:
      case CONNECTION:
        return true;
      case UPSTREAM:
        return status == 429 || status == 498 || status >= 500;
      default:
        return false;
    }
  }

  /**
   * Whether a failure after the first token is worth a recovery attempt: a {@link StreamException} that
   * {@link #isRetryable(ErrorKind, int) is retryable} (a cut, an idle timeout, a server-side error).
   *
   * @param error the failure
   * @return {@code true} if recovery may succeed
   */
  public static boolean isRecoverable(@Nullable Throwable error) {
    return error instanceof StreamException se && isRetryable(se.kind(), se.status());
  }

  /**
   * Whether an HTTP status is retried before the first token: 408, 409, 429 and 5xx; 498 when configured.
   *
   * @param status the status
   * @param retryOn498 whether 498 is retried
   * @return {@code true} to retry
   */
  public static boolean isRetryableStatus(int status, boolean retryOn498) {
    if (status == 498) {
      return retryOn498;
    }
    return status == 408 || status == 409 || status == 429 || status >= 500;
  }

  /**
   * Whether a failed attempt is worth another try of the same request before the first token (leaving
   * aside how many retries are left and the advised delay).
   *
   * @param f the failure
   * @param retryOn498 whether 498 is retried
   * @return {@code true} to retry
   */
  public static boolean retryBeforeFirstToken(AttemptFailure f, boolean retryOn498) {
    if (f.afterFirstToken || f.silentAfterHeaders && f.error.timeoutPhase() == StreamState.WAITING_FIRST_TOKEN) {
      return false;
    }
    if (f.serverAdvice != null) {
      return f.serverAdvice;
    }
    if (f.httpStatus > 0) {
      return isRetryableStatus(f.httpStatus, retryOn498);
    }
    StreamException e = f.error;
    switch (e.kind()) {
      case CONNECTION:
        return true;
      case TIMEOUT:
        return e.timeoutPhase() != StreamState.STREAMING;
      case UPSTREAM:
        return e.status() > 0 && isRetryableStatus(e.status(), retryOn498);
      default:
        return false;
    }
  }

  // ------------------------------------------------------------------ how long

  /**
   * The delay before try {@code n} (1 for the first retry) without jitter: {@code initial} doubled per
   * try, capped at {@code max}.
   *
   * @param initial the first delay
   * @param max the cap
   * @param n the try, from 1
   * @return the delay
   */
  public static Duration backoff(Duration initial, Duration max, int n) {
    long cap = max.toNanos();
    long d = Math.min(initial.toNanos(), cap);
    for (int i = 1; i < n && d < cap; i++) {
      d = d > cap / 2 ? cap : d * 2;
    }
    return Duration.ofNanos(d);
  }

  /**
   * The delay before try {@code n} on a curve, with its jitter drawn from {@code random}.
   *
   * @param curve the curve
   * @param n the try, from 1
   * @param random the jitter source
   * @return the delay
   */
  public static Duration delay(Backoff curve, int n, RandomGenerator random) {
    Duration base = backoff(curve.initial(), curve.max(), n);
    double j = curve.jitter();
    if (j == 0 || base.isZero()) {
      return base;
    }
    double r = random.nextDouble();
    double factor = curve.symmetric() ? 1 + (r * 2 - 1) * j : 1 - j * r;
    return Duration.ofNanos((long) (base.toNanos() * factor));
  }

  /**
   * The delay before retry {@code retry} before the first token: the larger of the server's advice and the
   * backoff, capped.
   *
   * @param settings the retry settings
   * @param retry the retry, from 1
   * @param advised the server's advice, or {@code null}
   * @param random the jitter source
   * @return the delay, or {@code null} when the server asks for a wait longer than the cap
   */
  public static @Nullable Duration retryDelay(
      RetrySettings settings, int retry, @Nullable Duration advised, RandomGenerator random) {
    Duration cap = settings.maxDelay();
    if (advised != null && advised.compareTo(cap) > 0) {
      return null;
    }
    Duration backoff = delay(settings.backoff(), retry, random);
    Duration d = advised != null && advised.compareTo(backoff) > 0 ? advised : backoff;
    return d.compareTo(cap) > 0 ? cap : d;
  }

  // ------------------------------------------------------------------ the Failsafe policies

  /**
   * The retries of one request before its first token. Attempts record an {@link AttemptFailure}; a
   * failure that {@link #retryBeforeFirstToken} rejects, or that {@code mayRetry} refuses (a request budget
   * spent), completes the execution with it; a server advising a wait above the cap aborts it.
   *
   * @param settings the retry settings
   * @param random the jitter source
   * @param mayRetry whether one more request may be sent now
   * @return the policy
   */
  public static RetryPolicy<Object> beforeFirstToken(
      RetrySettings settings, RandomGenerator random, Predicate<AttemptFailure> mayRetry) {
    return RetryPolicy.builder()
        .handleIf((r, t) -> t instanceof AttemptFailure f
            && retryBeforeFirstToken(f, settings.retryOn498()) && mayRetry.test(f))
        .abortIf((r, t) -> t instanceof AttemptFailure f
            && f.advisedDelay != null && f.advisedDelay.compareTo(settings.maxDelay()) > 0)
        .withMaxRetries(settings.maxRetries())
        .withDelayFn(ctx -> {
          Duration d = retryDelay(
              settings, ctx.getAttemptCount(),
              ctx.getLastException() instanceof AttemptFailure f ? f.advisedDelay : null, random);
          return d == null ? settings.maxDelay() : d; // null only when aborting
        })
        .build();
  }

  /**
   * The recoveries of one answer after its first token: {@link RecoveryPolicy#maxAttempts()} tries of the
   * failures {@link #isRecoverable} accepts and {@code mayRecover} allows (the answer has content, the
   * strategy is not {@code FAIL}), each after the policy's jittered backoff.
   *
   * @param policy the recovery policy
   * @param random the jitter source
   * @param mayRecover what the recovering source knows besides the failure
   * @param onScheduled told (synchronously, before the backoff starts; it must only take note) when a
   *     recovery is scheduled
   * @return the policy
   */
  public static RetryPolicy<Object> afterFirstToken(
      RecoveryPolicy policy, RandomGenerator random, Predicate<Throwable> mayRecover, Runnable onScheduled) {
    Backoff curve = Backoff.of(policy);
    return RetryPolicy.builder()
        .handleIf((r, t) -> policy.strategy() != RecoveryPolicy.Strategy.FAIL && isRecoverable(t)
            && mayRecover.test(t))
        .withMaxRetries(policy.maxAttempts())
        .withDelayFn(ctx -> delay(curve, ctx.getAttemptCount(), random))
        .onRetryScheduled(e -> onScheduled.run())
        .build();
  }
}
