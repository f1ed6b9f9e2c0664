package dev.llmstream.core.spi;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.internal.RecoveringSource;
import dev.llmstream.core.internal.retry.RetryModel;
import java.time.Duration;
import java.util.Objects;

/**
 * Provider-neutral stream recovery: wraps a provider's single attempts into one source that survives a
 * connection cut mid-answer as the {@link RecoveryPolicy} says. A provider supplies the mechanics (an
 * {@link AttemptFactory} whose attempts fail with a {@link StreamException}); this class supplies the
 * policy: which failures recover, the continuation request, de-duplication, backoff, usage summing and
 * the {@code Recovering}/{@code Replaced} events.
 */
public final class Recovery {
  private Recovery() {
    throw new AssertionError("no instances");
  }

  /**
   * A source that runs attempts from {@code attempts} and recovers mid-answer failures per {@code policy}.
   *
   * @param request the original request
   * @param policy the recovery policy
   * @param scheduler the clock for backoff delays
   * @param attempts opens each attempt
   * @return the recovering source; wrap it with {@link dev.llmstream.core.TokenStream#create}
   */
  public static StreamSource source(
      ChatRequest request, RecoveryPolicy policy, StreamScheduler scheduler, AttemptFactory attempts) {
    return new RecoveringSource(request, policy, scheduler, attempts);
  }

  /**
   * Like {@link #source(ChatRequest, RecoveryPolicy, StreamScheduler, AttemptFactory)}, with a stall
   * watchdog over the whole answer: when no content (a text, reasoning or tool-call delta) arrives for
   * {@code stallTimeout} while the subscriber is waiting, across attempts, their retries and the backoffs
   * between them, the current attempt is cancelled and the stream fails with an
   * {@link dev.llmstream.core.ErrorKind#TIMEOUT} {@link StreamException} (not recovered; the last attempt's
   * failure is its cause). Time while the subscriber has no demand does not count.
   *
   * @param request the original request
   * @param policy the recovery policy
   * @param scheduler the clock for backoff delays and the watchdog
   * @param attempts opens each attempt
   * @param stallTimeout the longest the answer may go without new content, positive
   * @return the recovering source
   */
  public static StreamSource source(
      ChatRequest request,
      RecoveryPolicy policy,
      StreamScheduler scheduler,
      AttemptFactory attempts,
      Duration stallTimeout) {
    Objects.requireNonNull(stallTimeout, "stallTimeout");
    if (stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("stallTimeout must be positive, was " + stallTimeout);
    }
    return new RecoveringSource(request, policy, scheduler, attempts, stallTimeout);
  }

  /**
   * Whether a failure after the first token is worth recovering from: a broken connection, an idle
   * timeout, or a server-side error (5xx, capacity, rate limit, a retryable error event). Not: bad
   * requests, authentication, protocol errors, exceeded limits or the caller's own exceptions.
   *
   * @param error the failure
   * @return {@code true} if recovery may succeed
   */
  public static boolean isRecoverable(Throwable error) {
    return RetryModel.isRecoverable(error);
  }
}
