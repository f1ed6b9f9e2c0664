package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failsafe.RetryPolicy;
import dev.llmstream.core.internal.retry.DeferredRetries;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The retry execution that starts only at the first failure: a try that succeeds never builds the policy,
 * a failure is decided in the call that reports it, counted as the execution's first attempt, and the
 * retries come after their delays on the virtual clock.
 */
class DeferredRetriesTest {
  private final VirtualScheduler clock = new VirtualScheduler();
  private final AtomicInteger policiesMade = new AtomicInteger();
  private final List<CompletableFuture<Object>> retries = new ArrayList<>();
  private final AtomicInteger afterTasks = new AtomicInteger();

  private Supplier<RetryPolicy<Object>> policy(int maxRetries) {
    return () -> {
      policiesMade.incrementAndGet();
      return RetryPolicy.builder()
          .handleIf((r, t) -> t instanceof IllegalStateException)
          .withMaxRetries(maxRetries)
          .withDelay(Duration.ofSeconds(1))
          .build();
    };
  }

  private CompletableFuture<Object> start(CompletableFuture<Object> first, int maxRetries) {
    return DeferredRetries.start(first, policy(maxRetries), clock, () -> {
      CompletableFuture<Object> r = new CompletableFuture<>();
      retries.add(r);
      return r;
    }, afterTasks::incrementAndGet);
  }

  @Test
  void aFirstTryThatSucceedsNeverMakesThePolicy() throws Exception {
    CompletableFuture<Object> first = new CompletableFuture<>();
    CompletableFuture<Object> execution = start(first, 2);
    assertThat(execution).isNotDone();
    first.complete("answer");
    assertThat(execution.get()).isEqualTo("answer");
    assertThat(policiesMade).hasValue(0);
    assertThat(clock.pendingTasks()).isZero();
    assertThat(afterTasks).hasValue(0);
  }

  @Test
  void aFailureIsDecidedAtOnceAndCountedAsTheFirstAttempt() throws Exception {
    CompletableFuture<Object> first = new CompletableFuture<>();
    CompletableFuture<Object> execution = start(first, 2);
    first.completeExceptionally(new IllegalStateException("cut 1"));
    assertThat(policiesMade).hasValue(1);
    assertThat(clock.scheduledDelays()).containsExactly(Duration.ofSeconds(1)); // decided in the failing call
    assertThat(retries).isEmpty();

    clock.advance(Duration.ofSeconds(1));
    assertThat(retries).hasSize(1);
    retries.get(0).completeExceptionally(new IllegalStateException("cut 2"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(retries).hasSize(2);
    retries.get(1).completeExceptionally(new IllegalStateException("cut 3")); // the first try counted: 2 retries

    assertThat(execution).isCompletedExceptionally();
    assertThat(retries).hasSize(2);
    assertThat(clock.pendingTasks()).isZero();
    assertThatThrownBy(execution::get).isInstanceOf(ExecutionException.class).cause().hasMessage("cut 3");
  }

  @Test
  void aRetryThatSucceedsCompletesTheExecution() throws Exception {
    CompletableFuture<Object> first = new CompletableFuture<>();
    CompletableFuture<Object> execution = start(first, 2);
    first.completeExceptionally(new IllegalStateException("cut"));
    clock.advance(Duration.ofSeconds(1));
    retries.get(0).complete("second answer");
    assertThat(execution.get()).isEqualTo("second answer");
  }

  @Test
  void aFailureThePolicyDoesNotHandleEndsTheExecutionWithIt() {
    CompletableFuture<Object> first = new CompletableFuture<>();
    CompletableFuture<Object> execution = start(first, 2);
    first.completeExceptionally(new IllegalArgumentException("bad request"));
    assertThat(execution).isCompletedExceptionally();
    assertThat(clock.pendingTasks()).isZero();
    assertThat(retries).isEmpty();
  }

  @Test
  void cancellingTheExecutionCancelsARetryWaitingForItsDelay() {
    CompletableFuture<Object> first = new CompletableFuture<>();
    CompletableFuture<Object> execution = start(first, 2);
    first.completeExceptionally(new IllegalStateException("cut"));
    assertThat(clock.pendingTasks()).isEqualTo(1);
    execution.cancel(false);
    clock.advance(Duration.ofSeconds(5));
    assertThat(retries).isEmpty();
  }

  @Test
  void cancellingBeforeTheFirstTryEndsMakesNothing() {
    CompletableFuture<Object> first = new CompletableFuture<>();
    CompletableFuture<Object> execution = start(first, 2);
    execution.cancel(false);
    first.completeExceptionally(new IllegalStateException("cut"));
    assertThat(policiesMade).hasValue(0);
    assertThat(clock.pendingTasks()).isZero();
  }
}
