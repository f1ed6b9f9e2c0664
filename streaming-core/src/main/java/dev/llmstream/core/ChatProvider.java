package dev.llmstream.core;

/**
 * A model provider: turns a {@link ChatRequest} into a {@link TokenStream}. The Groq provider (module
 * {@code streaming-groq}) is one; others implement this interface with the help of
 * {@link dev.llmstream.core.spi}.
 *
 * <p>Implementations are thread-safe: one provider serves many concurrent streams. Calling
 * {@link #stream(ChatRequest, CancellationToken)} does no I/O; the request is sent when the returned
 * stream is subscribed to. {@link #close()} releases what the provider owns (not what the caller passed
 * in, such as an {@code HttpClient}).
 */
public interface ChatProvider extends AutoCloseable {

  /**
   * Prepares a streamed answer to {@code request}.
   *
   * @param request the conversation and options
   * @param cancellation a token the caller can cancel from any thread to stop the stream
   * @return a cold, single-subscriber stream: the request is sent on subscription
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the request cannot be sent to this provider (no model and no
   *     default model, for example)
   */
  TokenStream stream(ChatRequest request, CancellationToken cancellation);

  /**
   * Prepares a streamed answer that is stopped only by cancelling its subscription.
   *
   * @param request the conversation and options
   * @return a cold, single-subscriber stream
   */
  default TokenStream stream(ChatRequest request) {
    return stream(request, CancellationToken.create());
  }

  /** Releases the provider's own resources; streams in flight are not cancelled. Idempotent. */
  @Override
  default void close() {}
}
