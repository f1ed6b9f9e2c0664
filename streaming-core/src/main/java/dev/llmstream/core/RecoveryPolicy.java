package dev.llmstream.core;

import dev.llmstream.core.internal.retry.RetryModel;
import java.time.Duration;
import java.util.Objects;

/**
 * What a stream does when its connection breaks after the answer has started: resume it, restart it, or
 * fail. Applies to failures after the first token (connection reset or end of stream before the answer
 * finished, an idle timeout, a retryable error event); failures before the first token are the
 * provider's retries' business.
 *
 * <ul>
 *   <li>{@link Strategy#CONTINUE} (the default): re-request with the partial answer appended as a
 *       trailing assistant message (a "prefill"); the model continues where it stopped and the UI sees one
 *       continuous answer. The partial text is sent byte for byte, so whitespace at the cut is kept. If
 *       only reasoning or tool-call fragments had arrived there is nothing to prefill: the request is sent
 *       again and a {@link StreamEvent.Replaced} event tells the UI to drop what it showed. A server that
 *       ignores the prefill restarts the answer: a continuation that repeats the first 16 characters of
 *       the answer (all of them, if shorter) is taken for a restart and de-duplicated as under
 *       {@link Strategy#RESTART_DEDUPE}, so repeated text never reaches the UI.
 *   <li>{@link Strategy#RESTART_DEDUPE}: re-request the same prompt (with the same seed; one is chosen
 *       when the request has none) and skip the part already shown when the new answer repeats it; if it
 *       diverges, a {@link StreamEvent.Replaced} event carries the new text so the UI redraws.
 *   <li>{@link Strategy#FAIL}: end with the error; its {@link StreamException#partial()} holds the answer
 *       so far.
 * </ul>
 *
 * <p>Providers may bound what recovery costs: the Groq provider caps the requests of one answer
 * ({@code maxRequestsPerAnswer}) and the time without new content ({@code stallTimeout}), retries and
 * recoveries included.
 *
 * <p>Each recovery emits {@link StreamEvent.Recovering} (the UI can show "connection lost, resuming…").
 * Usage of all attempts is summed and marked {@link Usage#recovered()}. Cancellation always wins: a cancel
 * during a backoff or reconnect ends the stream at once and no request is sent after it.
 *
 * <p>Immutable and thread-safe; start from {@link #defaults()} and change settings with the
 * {@code with…} methods ({@code RecoveryPolicy.defaults().withMaxAttempts(2)}).
 *
 * @param strategy what to do after a mid-answer failure
 * @param maxAttempts how many recoveries one answer may use (at least 1; ignored for FAIL)
 * @param initialBackoff delay before the first recovery attempt
 * @param maxBackoff the cap of the doubling backoff
 * @param jitter random spread of each delay, 0 (none) to 1 (±100%)
 */
public record RecoveryPolicy(
    Strategy strategy, int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {

  /** What to do after a mid-answer failure. */
  public enum Strategy {
    /** Re-request with the partial answer as a prefill and append the continuation. */
    CONTINUE,
    /** Re-request the same prompt and skip the repeated prefix (or signal a replacement). */
    RESTART_DEDUPE,
    /** Fail with the partial answer. */
    FAIL
  }

  /**
   * Validates the components (so every {@code with…} method does too); a message names the setting.
   *
   * @param strategy what to do after a mid-answer failure
   * @param maxAttempts how many recoveries one answer may use (at least 1; ignored for FAIL)
   * @param initialBackoff delay before the first recovery attempt
   * @param maxBackoff the cap of the doubling backoff
   * @param jitter random spread of each delay, 0 (none) to 1 (±100%)
   */
  public RecoveryPolicy {
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must satisfy 0 <= initialBackoff <= maxBackoff, was " + initialBackoff + " / " + maxBackoff);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
    }
  }

  /** The default {@link #maxAttempts()}: {@value}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** The default {@link #initialBackoff()}, in milliseconds: {@value}. */
  public static final long DEFAULT_INITIAL_BACKOFF_MILLIS = 250;

  /** The default {@link #maxBackoff()}, in milliseconds: {@value}. */
  public static final long DEFAULT_MAX_BACKOFF_MILLIS = 4000;

  /** The default {@link #jitter()}: {@value}. */
  public static final double DEFAULT_JITTER = 0.2;

  /**
   * The default: {@link Strategy#CONTINUE}, {@link #DEFAULT_MAX_ATTEMPTS} attempts, backoff
   * {@link #DEFAULT_INITIAL_BACKOFF_MILLIS} ms doubling to {@link #DEFAULT_MAX_BACKOFF_MILLIS} ms, jitter
   * {@link #DEFAULT_JITTER}.
   *
   * @return the default policy
   */
  public static RecoveryPolicy defaults() {
    return new RecoveryPolicy(
        Strategy.CONTINUE, DEFAULT_MAX_ATTEMPTS, Duration.ofMillis(DEFAULT_INITIAL_BACKOFF_MILLIS),
        Duration.ofMillis(DEFAULT_MAX_BACKOFF_MILLIS), DEFAULT_JITTER);
  }

  /**
   * No recovery: a mid-answer failure fails the stream (with the partial answer).
   *
   * @return the failing policy
   */
  public static RecoveryPolicy disabled() {
    return defaults().withStrategy(Strategy.FAIL);
  }

  /**
   * The delay before recovery attempt {@code attempt} (1-based) without jitter: the initial backoff
   * doubled per attempt, capped.
   *
   * @param attempt the attempt, from 1
   * @return the delay
   */
  public Duration backoff(int attempt) {
    return RetryModel.backoff(initialBackoff, maxBackoff, attempt);
  }

  /**
   * This policy with another strategy.
   *
   * @param strategy what to do after a mid-answer failure
   * @return the new policy
   * @throws NullPointerException if {@code strategy} is null
   */
  public RecoveryPolicy withStrategy(Strategy strategy) {
    return new RecoveryPolicy(strategy, maxAttempts, initialBackoff, maxBackoff, jitter);
  }

  /**
   * This policy with another number of recoveries per answer.
   *
   * @param maxAttempts at least 1
   * @return the new policy
   * @throws IllegalArgumentException if less than 1
   */
  public RecoveryPolicy withMaxAttempts(int maxAttempts) {
    return new RecoveryPolicy(strategy, maxAttempts, initialBackoff, maxBackoff, jitter);
  }

  /**
   * This policy with another backoff: {@code initial}, doubling per attempt up to {@code max} (set
   * together, as each bounds the other).
   *
   * @param initial the first delay, zero or more
   * @param max the cap, at least {@code initial}
   * @return the new policy
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if negative or {@code max < initial}
   */
  public RecoveryPolicy withBackoff(Duration initial, Duration max) {
    return new RecoveryPolicy(strategy, maxAttempts, initial, max, jitter);
  }

  /**
   * This policy with another random spread of each delay.
   *
   * @param jitter 0 (none) to 1 (±100%)
   * @return the new policy
   * @throws IllegalArgumentException if out of range
   */
  public RecoveryPolicy withJitter(double jitter) {
    return new RecoveryPolicy(strategy, maxAttempts, initialBackoff, maxBackoff, jitter);
  }
}
