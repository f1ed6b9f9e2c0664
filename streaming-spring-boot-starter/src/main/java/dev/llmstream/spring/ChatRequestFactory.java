package dev.llmstream.spring;

import dev.llmstream.core.ChatRequest;

/**
 * Turns a user's message posted to the chat endpoint into the request sent to the model. The default
 * sends {@code llmstream.relay.system-prompt} (when set) and the message; define your own bean to add
 * conversation history, tools or a model choice. Called on a request thread; must not block; must be
 * thread-safe.
 */
@FunctionalInterface
public interface ChatRequestFactory {
  /**
   * Builds the request.
   *
   * @param owner the caller's owner (never shown to the model by the default)
   * @param chat the conversation slot the page sent (1-64 characters of {@code [A-Za-z0-9_-]})
   * @param message the user's message, non-blank and within {@code llmstream.relay.max-message-chars}
   * @return the request
   */
  ChatRequest create(String owner, String chat, String message);
}
