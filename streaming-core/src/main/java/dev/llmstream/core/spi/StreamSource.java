package dev.llmstream.core.spi;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamListener;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.internal.InstrumentedSource;
import dev.llmstream.core.internal.RecoveringSource;
import dev.llmstream.core.internal.StreamTraceImpl;
import dev.llmstream.core.internal.retry.FirstTokenRetries;
import dev.llmstream.core.internal.retry.RetryModel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Produces the events of one answer, on demand. A provider implements this and wraps it with
 * {@link dev.llmstream.core.TokenStream#create(StreamSource, dev.llmstream.core.CancellationToken)}; the
 * core then takes care of the Reactive Streams rules (demand, serial signals, cancellation, one terminal
 * signal, the partial answer).
 *
 * <p>The protocol, all calls made by the core:
 * <ol>
 *   <li>{@link #start(StreamEmitter)} once, after the subscriber received {@code onSubscribe}: send the
 *       request (asynchronously; never block).
 *   <li>{@link #pull()} whenever the subscriber wants events and none are queued. Answer each pull,
 *       possibly later and from another thread, with zero or more {@link StreamEmitter#next} calls
 *       followed by one {@link StreamEmitter#pullDone()}. No new pull comes before that. This is how
 *       demand reaches the network: read one more buffer per pull, and bytes stay in the socket while the
 *       subscriber is slow.
 *   <li>{@link #cancel()} at most once, when the subscriber cancelled or the stream's token was
 *       cancelled: abort the exchange at once and release everything. Not called after the source itself
 *       completed or failed.
 * </ol>
 *
 * <p>The core calls these methods serially (never two at once), outside any lock.
 *
 * <p><b>Recovery.</b> A provider whose source is one attempt (one HTTP exchange) gets provider-neutral
 * recovery from {@link #recovering(ChatRequest, RecoveryPolicy, StreamScheduler, BiFunction)}: one source
 * that survives a connection cut mid-answer as the {@link RecoveryPolicy} says. The provider supplies the
 * mechanics (a function opening each attempt, whose attempts fail with a {@link StreamException}); the core
 * supplies the policy: which failures recover (a broken connection, an idle timeout, or a server-side
 * error: 5xx, capacity, rate limit, a retryable error event; not bad requests, authentication, protocol
 * errors, exceeded limits or the caller's own exceptions), the continuation request, de-duplication, backoff, usage summing and the {@code Recovering}/{@code Replaced}
 * events.
 *
 * <p><b>Retries before the first token.</b> Inside one attempt, a provider that sends the same request
 * again after a failure before any token (a rate limit, a server error, a refused connection) lets the core
 * decide through {@link #retryBeforeFirstToken}: the provider starts each try and describes a failed one
 * ({@link #failedTry}); the core's retry model (the one that also decides recoveries) says whether and
 * when to try again, and its backoff runs on the stream's {@link StreamScheduler}.
 *
 * <p><b>Instrumentation.</b> A provider with a {@link StreamListener} wraps the whole answer (outside
 * recovery) with {@link #instrumented}; what only an attempt knows reaches the listener's trace through
 * {@link StreamEmitter#responseModel} and {@link StreamEmitter#retrying}.
 */
public interface StreamSource {

  /**
   * Starts producing: sends the request. Must not block.
   *
   * @param emitter where events and the terminal signal go; valid for the life of the stream
   */
  void start(StreamEmitter emitter);

  /** The subscriber wants more events: produce some, then call {@link StreamEmitter#pullDone()}. */
  void pull();

  /** Aborts the exchange and releases its resources. Must not block. */
  void cancel();

  /**
   * A source that runs attempts opened by {@code attempts} and recovers mid-answer failures per
   * {@code policy}.
   *
   * <p>{@code attempts.apply(request, attempt)} opens one attempt: {@code request} is the request to send
   * (the original, or a continuation of it) and {@code attempt} is 0 for the first attempt, then the
   * recovery attempt number. It must be thread-safe and do no I/O itself: the attempt starts when the
   * returned source's {@link #start} is called.
   *
   * @param request the original request
   * @param policy the recovery policy
   * @param scheduler the clock for backoff delays
   * @param attempts opens each attempt
   * @return the recovering source; wrap it with {@link dev.llmstream.core.TokenStream#create}
   * @throws NullPointerException if an argument is null
   */
  static StreamSource recovering(
      ChatRequest request,
      RecoveryPolicy policy,
      StreamScheduler scheduler,
      BiFunction<ChatRequest, Integer, StreamSource> attempts) {
    return new RecoveringSource(request, policy, scheduler, attempts);
  }

  /**
   * Like {@link #recovering(ChatRequest, RecoveryPolicy, StreamScheduler, BiFunction)}, with a stall
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
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code stallTimeout} is zero or negative
   */
  static StreamSource recovering(
      ChatRequest request,
      RecoveryPolicy policy,
      StreamScheduler scheduler,
      BiFunction<ChatRequest, Integer, StreamSource> attempts,
      Duration stallTimeout) {
    Objects.requireNonNull(stallTimeout, "stallTimeout");
    if (stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("stallTimeout must be positive, was " + stallTimeout);
    }
    return new RecoveringSource(request, policy, scheduler, attempts, stallTimeout);
  }

  /**
   * Like {@link #recovering(ChatRequest, RecoveryPolicy, StreamScheduler, BiFunction, Duration)}, with the
   * random generator that spreads the recovery backoff by the policy's {@link RecoveryPolicy#jitter()} and
   * picks the seed of a {@link RecoveryPolicy.Strategy#RESTART_DEDUPE RESTART_DEDUPE} request that has none
   * (the other overloads use a {@code new java.util.Random()}); inject one to make delays and seeds
   * reproducible.
   *
   * <p>The returned source belongs to one stream: the core calls it as this interface describes (serially,
   * outside locks); backoff delays and the watchdog run on {@code scheduler}, and {@code attempts} is
   * called from the thread that started the stream (the first attempt) or a scheduler thread (a recovery).
   * {@code random} is shared, not owned: it must be thread-safe when several streams use it.
   *
   * @param request the original request
   * @param policy the recovery policy
   * @param scheduler the clock for backoff delays and the watchdog
   * @param attempts opens each attempt
   * @param stallTimeout the longest the answer may go without new content, positive
   * @param random the jitter and seed source, thread-safe if shared
   * @return the recovering source
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code stallTimeout} is zero or negative
   */
  static StreamSource recovering(
      ChatRequest request,
      RecoveryPolicy policy,
      StreamScheduler scheduler,
      BiFunction<ChatRequest, Integer, StreamSource> attempts,
      Duration stallTimeout,
      RandomGenerator random) {
    Objects.requireNonNull(stallTimeout, "stallTimeout");
    Objects.requireNonNull(random, "random");
    if (stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("stallTimeout must be positive, was " + stallTimeout);
    }
    return new RecoveringSource(request, policy, scheduler, attempts, stallTimeout, random);
  }

  /**
   * Runs the tries of one request before its first token; the core's retry model decides after each failed
   * try whether to send the request again and after how long. The rules: the server's
   * {@code x-should-retry} advice decides when the provider reports one; else a connection failure, HTTP 408,
   * 409, 429 and 5xx are retried, 498 only when {@code retryOn498}, other statuses never; a first-token
   * timeout is retried only when no 2xx response had arrived; nothing is retried after a token. The delay is
   * the larger of the server's advice ({@code retry-after}) and an exponential backoff from
   * {@code initialBackoff}, doubling up to {@code maxBackoff}, whose jitter only shortens it (by up to
   * {@code jitter}, drawn from {@code random}), capped at {@code maxDelay}; a server advising a longer wait
   * than {@code maxDelay} is not retried.
   *
   * <p><b>Lifecycle.</b> The execution asks for the first try before this method returns, in the calling
   * thread, and for each retry once its delay is over, on a {@code scheduler} thread: {@code tries} is called
   * with {@code false} for the first try, {@code true} for a retry, and the try's {@code failure} future.
   * The provider starts the try (it must not block) and, when it fails, completes that future exceptionally
   * with {@link #failedTry} (from any thread); the retry model decides synchronously, in that thread, so
   * right after the call the returned execution is done if no retry follows. A try that succeeds (its answer
   * started) or is abandoned leaves its future alone: the provider cancels the execution instead.
   *
   * <p><b>Ownership.</b> The execution belongs to the provider's source for one request: it completes
   * exceptionally with the {@link #failedTry} that ended the retries (its cause is the try's
   * {@link StreamException}), or is cancelled. Cancelling it stops the retries: a retry waiting for its delay
   * is not made (its timer is cancelled). {@code mayRetry} is asked, in the thread that reported the
   * failure, before each retry the model wants (a budget of requests, say); {@code false} ends the
   * execution with that failure. No lock is held while {@code tries} or {@code mayRetry} run.
   *
   * @param scheduler runs the delays: the stream's clock and timer
   * @param random the jitter source, thread-safe if shared
   * @param maxRetries the most retries of this request, 0 or more
   * @param retryOn498 whether HTTP 498 (capacity exceeded) is retried
   * @param maxDelay the longest single delay
   * @param initialBackoff the delay before the first retry (before jitter)
   * @param maxBackoff the longest backoff (before jitter)
   * @param jitter how much shorter than the backoff a delay may be, 0 to 1
   * @param mayRetry whether one more request may be sent now
   * @param tries starts a try: whether it is a retry, and the future to fail with its {@link #failedTry}
   * @return the execution; cancel it to stop
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code jitter} is not in [0, 1] or {@code maxRetries} is negative
   */
  static CompletableFuture<Object> retryBeforeFirstToken(
      StreamScheduler scheduler,
      RandomGenerator random,
      int maxRetries,
      boolean retryOn498,
      Duration maxDelay,
      Duration initialBackoff,
      Duration maxBackoff,
      double jitter,
      BooleanSupplier mayRetry,
      BiConsumer<Boolean, CompletableFuture<Object>> tries) {
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must not be negative, was " + maxRetries);
    }
    RetryModel.RetrySettings settings = new RetryModel.RetrySettings(maxRetries, retryOn498, maxDelay,
        new RetryModel.Backoff(initialBackoff, maxBackoff, jitter, false));
    return FirstTokenRetries.start(scheduler, settings, random, mayRetry, tries);
  }

  /**
   * Describes a failed try for {@link #retryBeforeFirstToken}: the failure the stream ends with if it is not
   * retried, and what the retry model decides on. Immutable; has no stack trace. Its
   * {@link Throwable#getCause() cause} is {@code error}.
   *
   * @param error the try's failure
   * @param httpStatus the status of the HTTP error response the try failed on, or -1 if it did not fail on
   *     one (a connection failure, a timeout, a malformed stream)
   * @param serverAdvice the server's {@code x-should-retry} advice, or {@code null} if it gave none
   * @param advisedDelay the server's {@code retry-after} advice, or {@code null} if it gave none
   * @param afterFirstToken whether a token had arrived (then the try is not retried: recovery's business)
   * @param silentAfterHeaders whether a 2xx response had arrived (a first-token timeout is then not retried)
   * @return the description, to complete the try's future exceptionally with
   * @throws NullPointerException if {@code error} is null
   */
  static Exception failedTry(
      StreamException error,
      int httpStatus,
      @Nullable Boolean serverAdvice,
      @Nullable Duration advisedDelay,
      boolean afterFirstToken,
      boolean silentAfterHeaders) {
    Objects.requireNonNull(error, "error");
    return new RetryModel.AttemptFailure(
        error, httpStatus, serverAdvice, advisedDelay, afterFirstToken, silentAfterHeaders);
  }

  /**
   * Reports one stream to a {@link StreamListener}: wraps a provider's source for the whole answer (outside
   * recovery and any permit) so that the listener sees the request sent when the stream starts, response
   * headers for each {@link dev.llmstream.core.StreamEvent.Waiting Waiting} event, chunks for content deltas,
   * recoveries, the cancel request and the end, through one {@link dev.llmstream.core.StreamTrace} per
   * stream. The attempts report the response model and their retries through
   * {@link StreamEmitter#responseModel} and {@link StreamEmitter#retrying}.
   *
   * <p>Create one per stream, only when a listener is attached (without one, do not wrap: nothing is
   * measured). It registers with {@code token} now, before {@link dev.llmstream.core.TokenStream#create} is
   * given the token, so that the cancel request is stamped before the stream reacts to it; the registration
   * ends with the stream. The listener is called as {@link StreamListener} describes (never under a lock of
   * the library; what it throws is logged and ignored); all times come from {@code clock}.
   *
   * @param answer the provider's source for the whole answer
   * @param listener the listener
   * @param token the stream's cancellation token
   * @param clock the provider's scheduler, the clock of the trace
   * @param providerName the provider, as {@link dev.llmstream.core.StreamTrace#providerName()}
   * @param requestModel the requested model
   * @param serverAddress the host the requests go to, or {@code null}
   * @param serverPort the port the requests go to, or -1
   * @return the instrumented source; wrap it with {@link dev.llmstream.core.TokenStream#create}
   * @throws NullPointerException if an argument but {@code serverAddress} is null
   */
  static StreamSource instrumented(
      StreamSource answer,
      StreamListener listener,
      CancellationToken token,
      StreamScheduler clock,
      String providerName,
      String requestModel,
      @Nullable String serverAddress,
      int serverPort) {
    Objects.requireNonNull(answer, "answer");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(providerName, "providerName");
    Objects.requireNonNull(requestModel, "requestModel");
    StreamTraceImpl trace = new StreamTraceImpl(providerName, requestModel, serverAddress, serverPort, clock::nanoTime);
    return new InstrumentedSource(answer, listener, trace, token);
  }
}
