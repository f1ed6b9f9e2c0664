package dev.llmstream.core.spi;

import dev.llmstream.core.ChatRequest;

/**
 * Opens one attempt at an answer: a provider's single HTTP exchange as a {@link StreamSource}. Recovery
 * ({@link Recovery#source}) calls it again with a modified request after a mid-answer failure.
 *
 * <p>Implementations are thread-safe and do no I/O here: the attempt starts when the returned source's
 * {@link StreamSource#start} is called.
 */
@FunctionalInterface
public interface AttemptFactory {
  /**
   * Opens an attempt.
   *
   * @param request the request to send (the original, or a continuation of it)
   * @param attempt 0 for the first attempt, then the recovery attempt number
   * @return a source for this attempt
   */
  StreamSource open(ChatRequest request, int attempt);
}
