package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.internal.FailsafeScheduler;
import dev.llmstream.core.internal.retry.RetryModel;
import dev.llmstream.core.internal.retry.RetryModel.AttemptFailure;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The retry model: which failures are tried again, how long it waits, executed by Failsafe on the virtual clock. */
class RetryModelTest {
  private static final RetryModel.Backoff GROQ_CURVE =
      new RetryModel.Backoff(Duration.ofMillis(500), Duration.ofSeconds(8), 0.25, false);
  private static final RetryModel.RetrySettings SETTINGS =
      new RetryModel.RetrySettings(2, false, Duration.ofSeconds(60), GROQ_CURVE);

  private final VirtualScheduler clock = new VirtualScheduler();

  private static StreamException error(ErrorKind kind, int status) {
    return new StreamException(kind, "x", status, null, null);
  }

  @ParameterizedTest(name = "{0} status {1}: retryable {2}")
  @CsvSource({
    "RATE_LIMITED, 429, true", "CAPACITY, 503, true", "CAPACITY, 498, true", "SERVER, 500, true",
    "TIMEOUT, -1, true", "CONNECTION, -1, true", "UPSTREAM, 500, true", "UPSTREAM, 429, true",
    "UPSTREAM, 498, true", "UPSTREAM, 400, false", "UPSTREAM, -1, false", "AUTHENTICATION, 401, false",
    "BAD_REQUEST, 400, false", "PROTOCOL, 200, false", "LIMIT_EXCEEDED, -1, false", "CALLER, -1, false",
    "UNKNOWN, -1, false"
  })
  void oneAnswerForRetryableAndRecoverable(ErrorKind kind, int status, boolean retryable) {
    StreamException e = error(kind, status);
    assertThat(e.isRetryable()).isEqualTo(retryable);
    assertThat(RetryModel.isRecoverable(e)).isEqualTo(retryable);
  }

  @ParameterizedTest(name = "status {0}, x-should-retry {1}, 498 retried {2}: {3}")
  @CsvSource({
    "500, , false, true", "502, , false, true", "408, , false, true", "409, , false, true", "429, , false, true",
    "400, , false, false", "401, , false, false", "403, , false, false", "404, , false, false",
    "413, , false, false", "422, , false, false", "498, , false, false", "498, , true, true",
    "500, false, false, false", "400, true, false, true"
  })
  void beforeTheFirstTokenHttpStatusesFollowTheSdks(int status, Boolean advice, boolean retry498, boolean retried) {
    AttemptFailure f = new AttemptFailure(error(ErrorKind.SERVER, status), status, advice, null, false, false);
    assertThat(RetryModel.retryBeforeFirstToken(f, retry498)).isEqualTo(retried);
  }

  @Test
  void beforeTheFirstTokenFailuresWithoutAResponse() {
    StreamException firstToken = StreamException.timeout(StreamState.WAITING_FIRST_TOKEN, Duration.ofSeconds(1), null, null);
    assertThat(RetryModel.retryBeforeFirstToken(AttemptFailure.of(firstToken, false, false), false))
        .as("a first-token timeout without any response").isTrue();
    assertThat(RetryModel.retryBeforeFirstToken(AttemptFailure.of(firstToken, false, true), false))
        .as("the model stayed silent after 2xx headers").isFalse();
    assertThat(RetryModel.retryBeforeFirstToken(AttemptFailure.of(error(ErrorKind.CONNECTION, -1), false, false), false))
        .isTrue();
    assertThat(RetryModel.retryBeforeFirstToken(AttemptFailure.of(error(ErrorKind.CONNECTION, -1), true, false), false))
        .as("after the first token it is recovery's business").isFalse();
    assertThat(RetryModel.retryBeforeFirstToken(AttemptFailure.of(error(ErrorKind.PROTOCOL, 200), false, false), false))
        .isFalse();
    assertThat(RetryModel.retryBeforeFirstToken(AttemptFailure.of(error(ErrorKind.UPSTREAM, 503), false, false), false))
        .isTrue();
    assertThat(RetryModel.retryBeforeFirstToken(AttemptFailure.of(error(ErrorKind.UPSTREAM, 498), false, false), false))
        .isFalse();
  }

  @Test
  void seededJitterStaysWithinItsBoundsAndRepeats() {
    RetryModel.Backoff recovery = RetryModel.Backoff.of(RecoveryPolicy.defaults());
    Random a = new Random(42);
    Random b = new Random(42);
    for (int n = 1; n <= 6; n++) {
      long groqBase = RetryModel.backoff(GROQ_CURVE.initial(), GROQ_CURVE.max(), n).toNanos();
      long recBase = RetryModel.backoff(recovery.initial(), recovery.max(), n).toNanos();
      for (int i = 0; i < 200; i++) {
        Duration d = RetryModel.delay(GROQ_CURVE, n, a);
        assertThat(d).isEqualTo(RetryModel.delay(GROQ_CURVE, n, b));
        assertThat(d.toNanos()).isBetween((long) (groqBase * 0.75), groqBase);
        Duration r = RetryModel.delay(recovery, n, a);
        assertThat(r).isEqualTo(RetryModel.delay(recovery, n, b));
        assertThat(r.toNanos()).isBetween((long) (recBase * 0.8), (long) (recBase * 1.2));
      }
    }
    assertThat(RetryModel.backoff(GROQ_CURVE.initial(), GROQ_CURVE.max(), 1)).isEqualTo(Duration.ofMillis(500));
    assertThat(RetryModel.backoff(GROQ_CURVE.initial(), GROQ_CURVE.max(), 5)).isEqualTo(Duration.ofSeconds(8));
    assertThat(RetryModel.backoff(recovery.initial(), recovery.max(), 9)).isEqualTo(Duration.ofSeconds(4));
  }

  /** Runs attempts through the policy on the virtual clock; each attempt fails with what {@code failure} says. */
  private CompletableFuture<Object> run(RetryPolicy<Object> policy, List<Long> at, Function<Integer, AttemptFailure> failure) {
    return Failsafe.with(policy).with(FailsafeScheduler.startingInline(clock, () -> {})).getStageAsync(ctx -> {
      at.add(clock.nanoTime());
      AttemptFailure f = failure.apply(at.size());
      return f == null ? CompletableFuture.completedFuture("ok") : CompletableFuture.failedFuture(f);
    });
  }

  @Test
  void retriesRunOnTheVirtualClockWithSeededJitter() throws Exception {
    List<Long> at = new CopyOnWriteArrayList<>();
    CompletableFuture<Object> result = run(RetryModel.beforeFirstToken(SETTINGS, new Random(7), f -> true), at,
        n -> n < 3 ? AttemptFailure.of(error(ErrorKind.CONNECTION, -1), false, false) : null);
    assertThat(at).as("the first attempt starts at once").containsExactly(0L);
    Random same = new Random(7);
    long first = RetryModel.delay(GROQ_CURVE, 1, same).toNanos();
    long second = RetryModel.delay(GROQ_CURVE, 2, same).toNanos();
    clock.advance(Duration.ofNanos(first - 1));
    assertThat(at).hasSize(1);
    clock.advance(Duration.ofNanos(1));
    assertThat(at).containsExactly(0L, first);
    clock.advance(Duration.ofNanos(second));
    assertThat(at).containsExactly(0L, first, first + second);
    assertThat(result).isCompletedWithValue("ok");
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void retryAfterIsHonouredWhenLongerThanTheBackoff() {
    List<Long> at = new CopyOnWriteArrayList<>();
    run(RetryModel.beforeFirstToken(SETTINGS, new Random(1), f -> true), at,
        n -> n == 1 ? new AttemptFailure(error(ErrorKind.RATE_LIMITED, 429), 429, null, Duration.ofSeconds(3), false, false)
            : null);
    clock.advance(Duration.ofMillis(2999));
    assertThat(at).hasSize(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(at).containsExactly(0L, 3_000_000_000L);
  }

  @Test
  void retryAfterAboveTheCapAbortsWithTheFailure() {
    List<Long> at = new CopyOnWriteArrayList<>();
    StreamException limited = error(ErrorKind.RATE_LIMITED, 429);
    CompletableFuture<Object> result = run(RetryModel.beforeFirstToken(SETTINGS, new Random(1), f -> true), at,
        n -> new AttemptFailure(limited, 429, null, Duration.ofSeconds(61), false, false));
    clock.advance(Duration.ofMinutes(5));
    assertThat(at).hasSize(1);
    assertThat(result).isCompletedExceptionally();
    try {
      result.get();
    } catch (InterruptedException | ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(AttemptFailure.class);
      assertThat(((AttemptFailure) e.getCause()).error()).isSameAs(limited);
    }
  }

  @Test
  void maxRetriesAndTheBudgetEndTheRetries() {
    List<Long> at = new CopyOnWriteArrayList<>();
    CompletableFuture<Object> all = run(RetryModel.beforeFirstToken(SETTINGS, new Random(1), f -> true), at,
        n -> AttemptFailure.of(error(ErrorKind.CONNECTION, -1), false, false));
    clock.advance(Duration.ofMinutes(1));
    assertThat(at).as("the first request and 2 retries").hasSize(3);
    assertThat(all).isCompletedExceptionally();

    List<Long> budget = new CopyOnWriteArrayList<>();
    CompletableFuture<Object> cut = run(RetryModel.beforeFirstToken(SETTINGS, new Random(1), f -> budget.size() < 2),
        budget, n -> AttemptFailure.of(error(ErrorKind.CONNECTION, -1), false, false));
    clock.advance(Duration.ofMinutes(1));
    assertThat(budget).as("the budget allowed one retry").hasSize(2);
    assertThat(cut).isCompletedExceptionally();
  }

  @Test
  void recoveriesFollowThePolicyOnTheVirtualClock() {
    RecoveryPolicy policy = RecoveryPolicy.defaults();
    List<Long> at = new ArrayList<>();
    List<Integer> scheduled = new ArrayList<>();
    RetryPolicy<Object> p = RetryModel.afterFirstToken(policy, new Random(3), t -> true, () -> scheduled.add(at.size()));
    CompletableFuture<Object> result = Failsafe.with(p).with(FailsafeScheduler.startingInline(clock, () -> {}))
        .getStageAsync(ctx -> {
          at.add(clock.nanoTime());
          return CompletableFuture.failedFuture(error(ErrorKind.CONNECTION, -1));
        });
    clock.advance(Duration.ofMinutes(1));
    assertThat(at).as("the attempt and its " + policy.maxAttempts() + " recoveries").hasSize(policy.maxAttempts() + 1);
    assertThat(scheduled).containsExactly(1, 2, 3);
    Random same = new Random(3);
    long t = 0;
    for (int n = 1; n <= policy.maxAttempts(); n++) {
      t += RetryModel.delay(RetryModel.Backoff.of(policy), n, same).toNanos();
      assertThat(at.get(n)).isEqualTo(t);
    }
    assertThat(result).isCompletedExceptionally();

    List<Long> none = new ArrayList<>();
    Failsafe.with(RetryModel.afterFirstToken(policy, new Random(3), e -> true, () -> {}))
        .with(FailsafeScheduler.startingInline(clock, () -> {}))
        .getStageAsync(ctx -> {
          none.add(clock.nanoTime());
          return CompletableFuture.failedFuture(error(ErrorKind.PROTOCOL, 200));
        });
    clock.advance(Duration.ofMinutes(1));
    assertThat(none).as("a protocol error is not recovered").hasSize(1);
  }
}
