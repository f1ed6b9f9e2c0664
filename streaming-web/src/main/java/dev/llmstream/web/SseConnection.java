package dev.llmstream.web;

/**
 * The relay's side of one browser connection, returned by {@link RunReader#start(SseSink)}. Thread-safe.
 */
public interface SseConnection {
  /**
   * The adapter saw the client go away (connection closed, async timeout, error): the relay stops, closes
   * the sink and counts the reader as gone. Idempotent.
   */
  void clientClosed();

  /**
   * Whether the connection is still being served.
   *
   * @return {@code false} once the run's {@code done} event was written or the connection closed
   */
  boolean isOpen();
}
