package dev.llmstream.core.internal.retry;

import dev.llmstream.core.StreamScheduler;
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
 * {@code StreamSource.retryBeforeFirstToken}. The first try is started at once, in the calling thread, and
 * the execution itself only starts if it fails ({@link DeferredRetries}: a request that succeeds holds no
 * Failsafe state); Failsafe then asks for each retry after its delay, on the scheduler, and the provider is
 * told to start it once Failsafe has registered on the try's stage, so a failure the provider records at
 * once is decided at once. Stateless.
 */
public final class FirstTokenRetries {
  private FirstTokenRetries() {
    throw new AssertionError("no instances");
  }

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
    AtomicReference<@Nullable CompletableFuture<Object>> due = new AtomicReference<>(); // the retry asked for
    CompletableFuture<Object> first = new CompletableFuture<>();
    CompletableFuture<Object> execution = DeferredRetries.start(
        first,
        () -> RetryModel.beforeFirstToken(settings, random, f -> mayRetry.getAsBoolean()),
        scheduler,
        () -> {
          CompletableFuture<Object> done = new CompletableFuture<>();
          due.set(done);
          return done;
        },
        () -> {
          CompletableFuture<Object> done = due.getAndSet(null);
          if (done != null) {
            tries.accept(true, done); // after Failsafe's call: it has registered on the try's stage
          }
        });
    tries.accept(false, first);
    return execution;
  }
}
