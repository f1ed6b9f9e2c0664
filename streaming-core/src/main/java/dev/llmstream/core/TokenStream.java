package dev.llmstream.core;

import dev.llmstream.core.internal.ListSource;
import dev.llmstream.core.internal.TokenStreamImpl;
import dev.llmstream.core.spi.StreamSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.BiConsumer;

/**
 * The events of one model answer as a {@link Flow.Publisher}.
 *
 * <p><b>Cold and single-use.</b> Nothing is sent until a subscriber subscribes; then the request goes out
 * and the answer streams to that one subscriber. A second {@code subscribe} receives {@code onSubscribe}
 * followed by {@code onError(IllegalStateException)}: ask the provider again for a new answer.
 *
 * <p><b>Reactive Streams rules hold</b> (verified by the official TCK): no event without demand
 * ({@code request(n)}); signals are serial; after {@link Flow.Subscription#cancel()} no further event is
 * delivered and the network exchange is aborted; exactly one terminal signal. Bytes are read from the
 * network only as demand allows, so a slow subscriber does not grow memory.
 *
 * <p><b>Endings.</b> A finished answer delivers {@link StreamEvent.Finish} then {@code onComplete}
 * ({@link StreamState#COMPLETED}). Cancelling the {@link CancellationToken} delivers
 * {@code Finish(CANCELLED)} (when the subscriber has demand for it) then {@code onComplete}
 * ({@link StreamState#CANCELLED}); cancelling the subscription delivers nothing more. A failure delivers
 * {@code onError} with a {@link StreamException} whose {@link StreamException#partial()} holds everything
 * delivered before it ({@link StreamState#FAILED}).
 *
 * <p><b>Threads.</b> Signals arrive on the thread that produced the data (normally the HTTP client's
 * executor) or the thread that called {@code request}; never concurrently. Subscribers must not block; to
 * hop to a UI thread use a sink adapter. {@link #state()}, {@link #partial()} and
 * {@link #onStateChange(BiConsumer)} may be called from any thread.
 */
public interface TokenStream extends Flow.Publisher<StreamEvent> {

  /**
   * The stream's current state.
   *
   * @return the state
   */
  StreamState state();

  /**
   * Adds a listener for state transitions, called with the previous and the new state after each move.
   * Add it before subscribing to see every transition. It is called serially, in transition order, on the
   * thread that is delivering the stream's signals at that moment; it must be quick and must not block.
   * An exception it throws is logged and ignored: it does not break the stream.
   *
   * @param listener called with {@code (from, to)}
   * @return this stream
   * @throws NullPointerException if {@code listener} is null
   */
  TokenStream onStateChange(BiConsumer<StreamState, StreamState> listener);

  /**
   * The answer as delivered to the subscriber so far (a copy). After a terminal signal this is the final
   * answer, with its finish reason ({@link FinishReason#CANCELLED} or {@link FinishReason#ERROR} where
   * that is how it ended).
   *
   * @return the answer so far
   */
  ChatResponse partial();

  /**
   * Subscribes with unbounded demand and folds the answer. The future completes with the answer when the
   * stream completes (also when cancelled through its token, with finish reason
   * {@link FinishReason#CANCELLED}), or exceptionally with the {@link StreamException} (holding the
   * partial answer). Cancelling the future cancels the stream.
   *
   * @return the answer
   */
  CompletableFuture<ChatResponse> collect();

  /**
   * Turns a provider's {@link StreamSource} into a stream that enforces the Reactive Streams rules.
   *
   * @param source the producer of the events
   * @param cancellation the caller's token; cancelling it stops the stream
   * @return a cold, single-use stream
   * @throws NullPointerException if an argument is null
   */
  static TokenStream create(StreamSource source, CancellationToken cancellation) {
    return new TokenStreamImpl(
        Objects.requireNonNull(source, "source"), Objects.requireNonNull(cancellation, "cancellation"));
  }

  /**
   * A stream that delivers the given events, then completes. Useful for tests and demos.
   *
   * @param events the events, in order
   * @return a cold, single-use stream
   */
  static TokenStream of(List<? extends StreamEvent> events) {
    return of(events, CancellationToken.create());
  }

  /**
   * A stream that delivers the given events, then completes; stoppable through {@code cancellation}.
   *
   * @param events the events, in order
   * @param cancellation the caller's token
   * @return a cold, single-use stream
   */
  static TokenStream of(List<? extends StreamEvent> events, CancellationToken cancellation) {
    return create(new ListSource(List.copyOf(events), null), cancellation);
  }

  /**
   * A stream that delivers the given events, then fails with {@code error}.
   *
   * @param events the events delivered before the failure
   * @param error the failure
   * @return a cold, single-use stream
   */
  static TokenStream failing(List<? extends StreamEvent> events, StreamException error) {
    return create(
        new ListSource(List.copyOf(events), Objects.requireNonNull(error, "error")),
        CancellationToken.create());
  }
}
