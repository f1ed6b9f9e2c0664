package dev.llmstream.core.spi;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.internal.RecoveringSource;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;

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
}
