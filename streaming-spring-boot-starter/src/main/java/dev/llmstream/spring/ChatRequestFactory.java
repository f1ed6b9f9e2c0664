package dev.llmstream.spring;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.web.RunResult;

/**
 * Turns a user's message posted to the chat endpoint into the request sent to the model. The default
 * sends {@code llmstream.relay.system-prompt} (when set) and the message; define your own bean to add
 * conversation history, tools or a model choice. The three {@code default} methods tell a factory that
 * keeps a history what became of each message. Called on request and answer threads; must not block; must
 * be thread-safe. Exceptions from the notifications are logged and ignored.
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

  /**
   * The request made by {@link #create} for this conversation was not started (the conversation already
   * has a running answer, the owner is at the limit, or the start failed): forget its message.
   *
   * @param owner the owner
   * @param chat the conversation slot
   */
  default void refused(String owner, String chat) {}

  /**
   * The request made by {@link #create} runs as {@code runId}. May come after {@link #finished} of the
   * same run (a very short answer).
   *
   * @param owner the owner
   * @param chat the conversation slot
   * @param runId the run
   */
  default void started(String owner, String chat, String runId) {}

  /**
   * A run started from the chat endpoint ended ({@link RunResult#owner()}, {@link RunResult#slot()} name
   * the conversation). Called once per run on the thread that delivered its end, before the {@code done}
   * event is written.
   *
   * @param result how it ended, with the (partial) answer
   */
  default void finished(RunResult result) {}
}
