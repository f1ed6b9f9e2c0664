package dev.llmstream.web;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One browser connection's response body, as an adapter provides it to the relay. The relay has at most
 * one write outstanding per connection and writes the next bytes only after {@code done} was called, so an
 * implementation needs no queue.
 *
 * <p>Implementations must not block the calling thread for long: a Servlet adapter writes through
 * {@code WriteListener}; see each adapter's documentation for its guarantees. Thread-safe for the relay's
 * use (one call at a time).
 */
public interface SseSink {
  /**
   * Writes and flushes {@code bytes}.
   *
   * @param bytes the frame bytes (owned by the sink from now on)
   * @param done called exactly once, with {@code null} when the bytes were handed to the network or with
   *     the failure (client gone); may be called on this thread before {@code write} returns
   */
  void write(byte[] bytes, Consumer<@Nullable Throwable> done);

  /** Ends the response and releases the connection. Idempotent. */
  void close();
}
