package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.spi.StreamSource;
import dev.llmstream.groq.GroqDefaults;
import dev.llmstream.groq.internal.SourceSignals.AttemptDue;
import dev.llmstream.groq.internal.SourceSignals.RetriesOver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retries of one request before its first token: one execution of the core's retry model
 * ({@link StreamSource#retryBeforeFirstToken}) on the provider's scheduler, with this provider's count, 498
 * setting and cap on the {@link GroqDefaults} backoff curve. The execution asks for each attempt (the first
 * at once, a retry after its delay) and {@link GroqStreamSource}'s loop starts it; a failed attempt is
 * recorded here and the model decides. Owned by that loop (the asks arrive as loop signals).
 */
final class RequestRetries {
  private static final Logger LOG = LoggerFactory.getLogger(RequestRetries.class);

  private final GroqConfig config;
  private final RequestBudget budget;
  private @Nullable CompletableFuture<Object> execution;
  private @Nullable CompletableFuture<Object> attemptDone;
  private Consumer<Object> post = s -> { };
  /** The first token arrived: no retry is made any more, and a failure ends the request at once. */
  private boolean settled;
  private int retries;
  /** The model wanted a retry of the latest failure, but the request budget was spent (set while deciding). */
  private volatile boolean budgetRefused;

  RequestRetries(GroqConfig config, RequestBudget budget) {
    this.config = config;
    this.budget = budget;
  }

  /** Starts the execution: its first attempt is posted before this returns, its end is posted too. */
  void start(Consumer<Object> post) {
    this.post = post;
    CompletableFuture<Object> run = StreamSource.retryBeforeFirstToken(
        config.scheduler(),
        config.random(),
        config.maxRetries(),
        config.retryOn498(),
        config.maxRetryDelay(),
        Duration.ofMillis(GroqDefaults.RETRY_INITIAL_BACKOFF_MILLIS),
        Duration.ofMillis(GroqDefaults.RETRY_MAX_BACKOFF_MILLIS),
        GroqDefaults.RETRY_JITTER,
        this::mayRetry,
        (retry, done) -> post.accept(new AttemptDue(retry, done)));
    execution = run;
    run.whenComplete((v, t) -> {
      if (t != null) { // it ends normally only when settled at the first token: nothing to tell then
        post.accept(new RetriesOver(t));
      }
    });
  }

  /**
   * The first token arrived: the retries are over. The try's stage completes, which ends the execution, so
   * nothing of it is kept for the rest of the answer; a later failure is not retried (the retry model
   * never retries after the first token) and ends the request through {@link RetriesOver}, as before.
   */
  void firstToken() {
    CompletableFuture<Object> done = attemptDone;
    settled = true;
    execution = null;
    attemptDone = null;
    if (done != null) {
      done.complete(null);
    }
  }

  /** Asked only when the model wants a retry: the budget decides. */
  private boolean mayRetry() {
    boolean more = budget.hasMore();
    budgetRefused = !more;
    return more;
  }

  /** The loop starts the attempt the execution asked for. */
  void attemptStarted(AttemptDue d) {
    attemptDone = d.done();
  }

  /**
   * Records a failed attempt ({@link StreamSource#failedTry}); the model decides at once.
   *
   * @return {@code true} if a retry is scheduled
   */
  boolean failed(Exception failure) {
    if (settled) {
      budgetRefused = false;
      post.accept(new RetriesOver(failure)); // what the execution would have ended with
      return false;
    }
    CompletableFuture<Object> done = attemptDone;
    CompletableFuture<Object> run = execution;
    attemptDone = null;
    if (done == null || run == null) {
      return false;
    }
    budgetRefused = false;
    done.completeExceptionally(failure);
    if (run.isDone()) {
      return false;
    }
    retries++;
    StreamException e = (StreamException) failure.getCause();
    LOG.debug("Retrying the Groq request (retry {} of {}) after {} (status {})",
        retries, config.maxRetries(), e.kind(), e.status());
    return true;
  }

  /**
   * The error the request ends with once the model let {@code t} end it: the failure, or the request cap's
   * error when that cap is what stopped a retry (or a recovery that would follow).
   */
  StreamException finalError(@Nullable Throwable t, boolean recoveryMayFollow, @Nullable String requestId) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause == null || !(cause.getCause() instanceof StreamException error)) {
      return new StreamException(ErrorKind.UNKNOWN, "The Groq request's retries ended unexpectedly: " + cause,
          StreamException.NO_STATUS, requestId, cause);
    }
    boolean wantsRetry = retries < config.maxRetries() && budgetRefused;
    boolean recoveryCut = recoveryMayFollow && error.isRetryable();
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
