package dev.llmstream.core.internal.retry;

import dev.failsafe.Failsafe;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.internal.FailsafeScheduler;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Executes the retries of one request before its first token: one Failsafe execution of
 * {@link RetryModel#beforeFirstToken} on the stream's scheduler, behind
 * {@code StreamSource.retryBeforeFirstToken}. Failsafe asks for each try (the first at once, in the calling
 * thread; a retry after its delay, on the scheduler) and the provider is told to start it once Failsafe has
 * registered on the try's stage, so a failure the provider records at once is decided at once. Stateless.
 */
public final class FirstTokenRetries {
  private FirstTokenRetries() {
    throw new AssertionError("no instances");
  }

  private record Due(boolean retry, CompletableFuture<Object> done) {}

  /**
   * Starts the execution; its first try is started before this returns.
   *
   * @param scheduler the stream's clock and timer
   * @param settings the retry settings
   * @param random the jitter source
   * @param mayRetry asked before a retry the model wants (a request budget)
   * @param tries starts a try: whether it is a retry, and the stage to fail with its {@link RetryModel.AttemptFailure}
   * @return the execution
   */
  public static CompletableFuture<Object> start(
      StreamScheduler scheduler,
      RetryModel.RetrySettings settings,
      RandomGenerator random,
      BooleanSupplier mayRetry,
      BiConsumer<Boolean, CompletableFuture<Object>> tries) {
    Objects.requireNonNull(mayRetry, "mayRetry");
    Objects.requireNonNull(tries, "tries");
    AtomicReference<@Nullable Due> due = new AtomicReference<>();
    return Failsafe.with(RetryModel.beforeFirstToken(settings, random, f -> mayRetry.getAsBoolean()))
        .with(FailsafeScheduler.startingInline(scheduler, () -> {
          Due d = due.getAndSet(null);
          if (d != null) {
            tries.accept(d.retry(), d.done()); // after Failsafe's call: it has registered on the try's stage
          }
        }))
        .getStageAsync(ctx -> {
          CompletableFuture<Object> done = new CompletableFuture<>();
          due.set(new Due(ctx.isRetry(), done));
          return done;
        });
  }
}
