package dev.llmstream.groq.internal;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.internal.FailsafeScheduler;
import dev.llmstream.core.internal.StreamTraceImpl;
import dev.llmstream.core.internal.retry.RetryModel;
import dev.llmstream.groq.internal.SourceSignals.AttemptDue;
import dev.llmstream.groq.internal.SourceSignals.RetriesOver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retries of one request before its first token: one Failsafe execution of the retry model's
 * {@link RetryModel#beforeFirstToken policy} on the provider's scheduler. Failsafe asks for each attempt
 * (the first at once, a retry after its delay) and {@link GroqStreamSource}'s loop starts it; a failed
 * attempt is recorded here and the policy decides. Owned by that loop (the asks arrive as loop signals).
 */
final class RequestRetries {
  private static final Logger LOG = LoggerFactory.getLogger(RequestRetries.class);

  private final GroqConfig config;
  private final RequestBudget budget;
  private final RetryPolicy<Object> policy;
  private final AtomicReference<@Nullable AttemptDue> due = new AtomicReference<>();
  private @Nullable CompletableFuture<Object> execution;
  private @Nullable CompletableFuture<Object> attemptDone;
  private int retries;

  RequestRetries(GroqConfig config, RequestBudget budget) {
    this.config = config;
    this.budget = budget;
    this.policy = RetryModel.beforeFirstToken(config.retry(), config.random(), f -> budget.hasMore());
  }

  /** Starts the execution: its first attempt is posted before this returns, its end is posted too. */
  void start(Consumer<Object> post) {
    CompletableFuture<Object> run = Failsafe.with(policy)
        .with(FailsafeScheduler.startingInline(config.scheduler(), () -> {
          AttemptDue d = due.getAndSet(null);
          if (d != null) {
            post.accept(d); // after Failsafe's call: it has registered on the attempt's stage
          }
        }))
        .getStageAsync(ctx -> {
          CompletableFuture<Object> done = new CompletableFuture<>();
          due.set(new AttemptDue(ctx.isRetry(), done));
          return done;
        });
    execution = run;
    run.whenComplete((v, t) -> post.accept(new RetriesOver(t)));
  }

  /** The loop starts the attempt Failsafe asked for. */
  void attemptStarted(AttemptDue d) {
    attemptDone = d.done();
  }

  /**
   * Records a failed attempt; the policy decides at once.
   *
   * @return {@code true} if a retry is scheduled
   */
  boolean failed(RetryModel.AttemptFailure failure, @Nullable StreamTraceImpl trace) {
    CompletableFuture<Object> done = attemptDone;
    CompletableFuture<Object> run = execution;
    attemptDone = null;
    if (done == null || run == null) {
      return false;
    }
    done.completeExceptionally(failure);
    if (run.isDone()) {
      return false;
    }
    retries++;
    if (trace != null) {
      trace.retried();
    }
    StreamException e = failure.error();
    LOG.debug("Retrying the Groq request (retry {} of {}) after {} (status {})",
        retries, config.maxRetries(), e.kind(), e.status());
    return true;
  }

  /**
   * The error the request ends with once the policy let {@code t} end it: the failure, or the request cap's
   * error when that cap is what stopped a retry (or a recovery that would follow).
   */
  StreamException finalError(@Nullable Throwable t, boolean recoveryMayFollow, @Nullable String requestId) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (!(cause instanceof RetryModel.AttemptFailure f)) {
      return new StreamException(ErrorKind.UNKNOWN, "The Groq request's retries ended unexpectedly: " + cause,
          StreamException.NO_STATUS, requestId, cause);
    }
    StreamException error = f.error();
    boolean wantsRetry = retries < config.maxRetries() && RetryModel.retryBeforeFirstToken(f, config.retryOn498());
    boolean recoveryCut = recoveryMayFollow && RetryModel.isRecoverable(error);
    return !budget.hasMore() && (wantsRetry || recoveryCut) ? budget.exhausted(error) : error;
  }

  /** Ends the execution: a retry waiting for its delay is not made. */
  void cancel() {
    CompletableFuture<Object> run = execution;
    execution = null;
    attemptDone = null;
    if (run != null) {
      run.cancel(false);
    }
  }
}
