package dev.llmstream.core;

/**
 * Observes the state transitions of a {@link TokenStream}.
 *
 * <p>Called serially, in transition order, on the thread that is delivering the stream's signals at that
 * moment; it must be quick and must not block. An exception it throws is logged and ignored: it does not
 * break the stream.
 */
@FunctionalInterface
public interface StreamStateListener {
  /**
   * Called after the stream moved from {@code from} to {@code to}.
   *
   * @param from the previous state
   * @param to the new state
   */
  void onStateChange(StreamState from, StreamState to);
}
