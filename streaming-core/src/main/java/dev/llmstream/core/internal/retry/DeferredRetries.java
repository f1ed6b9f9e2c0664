package dev.llmstream.core.internal.retry;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.internal.FailsafeScheduler;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A Failsafe retry execution that exists only once a first try has failed. Most answers never fail, and
 * an execution held for an answer's whole life costs about 1.6 KB (its policy, executor, future and
 * lambdas; measured with {@code ConcurrencyBenchmark.footprint}), which at thousands of open streams is a
 * large part of what one stream holds. So the first try runs outside Failsafe; when it fails, the
 * execution starts with that failure replayed as its first attempt, and Failsafe decides as it would have
 * (the attempt count, the delays and the policy's predicates see the same failures in the same order).
 *
 * <p>The decision stays synchronous: completing the first try exceptionally runs the policy in that call
 * (the execution's first attempt is taken in the calling thread by {@link FailsafeScheduler#startingInline}),
 * so a caller may look at what the policy noted right after. Not a class to hold: one static method.
 */
public final class DeferredRetries {
  private DeferredRetries() {
    throw new AssertionError("no instances");
  }

  /**
   * Starts watching the first try.
   *
   * @param first the first try's stage, completed by the caller (normally: the execution completes with it)
   * @param policy makes the retry policy; called at most once, when {@code first} fails
   * @param scheduler the clock of the retry delays
   * @param retry asked (in Failsafe's call) for the stage of each retry; it should only take note
   * @param afterTask run after each of Failsafe's tasks, once Failsafe has registered on the stage
   * @return the execution: completes with the first try when it succeeds, else with Failsafe's execution;
   *     cancelling it cancels a retry waiting for its delay
   */
  public static CompletableFuture<Object> start(
      CompletableFuture<Object> first,
      Supplier<RetryPolicy<Object>> policy,
      StreamScheduler scheduler,
      Supplier<CompletableFuture<Object>> retry,
      Runnable afterTask) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(afterTask, "afterTask");
    CompletableFuture<Object> execution = new CompletableFuture<>();
    first.whenComplete((value, failure) -> {
      if (failure == null) {
        execution.complete(value);
      } else if (!execution.isDone()) {
        replay(first, execution, policy.get(), scheduler, retry, afterTask);
      }
    });
    return execution;
  }

  private static void replay(
      CompletableFuture<Object> failedFirst,
      CompletableFuture<Object> execution,
      RetryPolicy<Object> policy,
      StreamScheduler scheduler,
      Supplier<CompletableFuture<Object>> retry,
      Runnable afterTask) {
    CompletableFuture<Object> run = Failsafe.with(policy)
        .with(FailsafeScheduler.startingInline(scheduler, afterTask))
        .getStageAsync(ctx -> ctx.isRetry() ? retry.get() : failedFirst);
    run.whenComplete((@Nullable Object value, @Nullable Throwable failure) -> {
      if (failure == null) {
        execution.complete(value);
      } else {
        execution.completeExceptionally(failure);
      }
    });
    execution.whenComplete((value, failure) -> {
      if (execution.isCancelled()) {
        run.cancel(false); // a retry waiting for its delay is not made
      }
    });
  }
}
