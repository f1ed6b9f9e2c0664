package dev.llmstream.core.spi;

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
}
