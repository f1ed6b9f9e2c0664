package dev.llmstream.core;

import dev.llmstream.core.internal.StreamBufferImpl;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * Smooths a stream for a UI: coalesces consecutive {@link StreamEvent.TextDelta}s (and, separately,
 * consecutive {@link StreamEvent.ReasoningDelta}s) into batches, paced by a time window, so a UI redraws
 * a few times per frame budget rather than once per token. The output is the same event type; every
 * other event passes through unchanged and in order.
 *
 * <p><b>Flush rules</b> (see {@link UiConfig}):
 * <ul>
 *   <li>Text that arrives when no batch went out during the last window is delivered at once (a
 *       leading-edge throttle): the first token of an answer, and every token of a slow model, are
 *       never delayed.
 *   <li>Otherwise text is held and released when the window has passed since the previous batch, or as
 *       soon as it reaches {@link UiConfig#maxBatchChars()}, whichever comes first. A batch cut
 *       at the size limit never splits a UTF-16 surrogate pair. With a {@link UiConfig.Boundary}
 *       a timed or size-limited batch ends on a word or line boundary when there is one; the trailing
 *       fragment is held back, but only until it is one window old.
 *   <li>Nothing waits longer than the window (given demand): text left over by a size or boundary cut
 *       goes out when its oldest character is one window old, even if a batch went out since.
 *   <li>A non-text event, a change between text and reasoning, completion and an error flush the
 *       pending text first, keeping the order. Cancelling drops what is pending.
 * </ul>
 *
 * <p><b>Backpressure and memory.</b> Each emitted item needs downstream demand. While the downstream
 * has none, text keeps coalescing into one pending batch (delivered whole when demand returns), so a
 * slow UI gets fewer, larger batches and never falls behind. The buffer requests one event at a time
 * from upstream and stops requesting while a non-text event waits for demand or the pending text
 * reaches {@link UiConfig#maxPendingChars()}; the unread data then stays upstream (in the
 * socket). The "arrival time" the buffer records for an event is when the buffer received it.
 *
 * <p><b>Lifecycle and threading.</b> A buffer is a single-use processor: subscribe it to one upstream
 * and subscribe one downstream (a second one receives {@code onError(IllegalStateException)}); either
 * order works. Reactive Streams rules hold (TCK-verified). Signals are serial, never under a lock, on
 * the upstream's thread, the thread calling {@code request}, or the {@link StreamScheduler}'s thread
 * when a window ends. A downstream {@code onNext} that throws cancels the upstream. All methods are
 * thread-safe.
 *
 * <pre>{@code
 * TokenStream answer = provider.stream(request);
 * Flow.Publisher<StreamEvent> smooth =
 *     StreamBuffer.buffer(answer, UiConfig.defaults());
 * smooth.subscribe(mySubscriber);
 * }</pre>
 */
public interface StreamBuffer extends Flow.Processor<StreamEvent, StreamEvent> {

  /**
   * The configuration of this buffer.
   *
   * @return the configuration
   */
  UiConfig config();

  /**
   * A new buffer with the default configuration on the system scheduler.
   *
   * @return a new, unsubscribed buffer
   */
  static StreamBuffer create() {
    return create(UiConfig.defaults());
  }

  /**
   * A new buffer.
   *
   * @param config how to batch, and the clock and timer for the window
   * @return a new, unsubscribed buffer
   * @throws NullPointerException if {@code config} is null
   */
  static StreamBuffer create(UiConfig config) {
    return new StreamBufferImpl(Objects.requireNonNull(config, "config"), StreamBufferImpl.Probe.NONE);
  }

  /**
   * The events of {@code upstream}, buffered. Cold: each {@code subscribe} creates a new buffer and
   * subscribes it to {@code upstream} (a {@link TokenStream} is single-use, so a second subscriber
   * receives its error).
   *
   * @param upstream the stream to smooth
   * @param config how to batch, and the clock and timer for the window
   * @return the buffered publisher
   * @throws NullPointerException if an argument is null
   */
  static Flow.Publisher<StreamEvent> buffer(Flow.Publisher<? extends StreamEvent> upstream, UiConfig config) {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(config, "config");
    return subscriber -> {
      Objects.requireNonNull(subscriber, "subscriber"); // Reactive Streams rule 1.9
      StreamBuffer b = create(config);
      b.subscribe(subscriber);
      upstream.subscribe(b);
    };
  }
}
