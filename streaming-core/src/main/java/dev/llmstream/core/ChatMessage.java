package dev.llmstream.core;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One message of a conversation. Use the factories: {@link #system(String)}, {@link #user(String)},
 * {@link #assistant(String)}, {@link #assistantToolCalls(List)}, {@link #tool(String, String)}.
 * Immutable and thread-safe.
 *
 * @param role who wrote the message
 * @param content the text; {@code null} only for an assistant message that carries tool calls
 * @param name an optional participant name, or {@code null}
 * @param toolCallId for a {@link Role#TOOL} message, the id of the call it answers; else {@code null}
 * @param toolCalls for an assistant message, the tool calls it made (empty otherwise)
 */
public record ChatMessage(
    Role role,
    @Nullable String content,
    @Nullable String name,
    @Nullable String toolCallId,
    List<ToolCall> toolCalls) {

  /** The author of a message. */
  public enum Role {
    /** Instructions for the model. */
    SYSTEM,
    /** The person chatting. */
    USER,
    /** The model. */
    ASSISTANT,
    /** The result of a tool call. */
    TOOL
  }

  /**
   * Validates the message.
   *
   * @param role who wrote the message
   * @param content the text; {@code null} only for an assistant message that carries tool calls
   * @param name an optional participant name, or {@code null}
   * @param toolCallId for a {@link Role#TOOL} message, the id of the call it answers; else {@code null}
   * @param toolCalls for an assistant message, the tool calls it made (empty otherwise)
   * @throws IllegalArgumentException if the content is missing where the role needs it, or a tool
   *     message lacks its call id
   */
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    toolCalls = List.copyOf(toolCalls);
    if (content == null && !(role == Role.ASSISTANT && !toolCalls.isEmpty())) {
      throw new IllegalArgumentException(
          "content must not be null for a " + role + " message (only an assistant message with tool calls may omit it)");
    }
    if (role == Role.TOOL && (toolCallId == null || toolCallId.isBlank())) {
      throw new IllegalArgumentException("toolCallId is required for a TOOL message");
    }
    if (role != Role.ASSISTANT && !toolCalls.isEmpty()) {
      throw new IllegalArgumentException("toolCalls are only allowed on an ASSISTANT message");
    }
  }

  /**
   * A system message.
   *
   * @param content the instructions
   * @return the message
   */
  public static ChatMessage system(String content) {
    return new ChatMessage(Role.SYSTEM, content, null, null, List.of());
  }

  /**
   * A user message.
   *
   * @param content what the user wrote
   * @return the message
   */
  public static ChatMessage user(String content) {
    return new ChatMessage(Role.USER, content, null, null, List.of());
  }

  /**
   * An assistant message (an earlier answer, or a partial answer to continue).
   *
   * @param content the answer text
   * @return the message
   */
  public static ChatMessage assistant(String content) {
    return new ChatMessage(Role.ASSISTANT, content, null, null, List.of());
  }

  /**
   * An assistant message that made tool calls.
   *
   * @param toolCalls the calls, not empty
   * @return the message
   */
  public static ChatMessage assistantToolCalls(List<ToolCall> toolCalls) {
    return new ChatMessage(Role.ASSISTANT, null, null, null, toolCalls);
  }

  /**
   * A tool result.
   *
   * @param toolCallId the id of the call this answers
   * @param content the result, normally JSON
   * @return the message
   */
  public static ChatMessage tool(String toolCallId, String content) {
    return new ChatMessage(Role.TOOL, content, null, toolCallId, List.of());
  }

  /** A summary without the content (it may be long or private). */
  @Override
  public String toString() {
    return "ChatMessage[role="
        + role
        + ", contentLength="
        + (content == null ? "null" : content.length())
        + ", toolCalls="
        + toolCalls.size()
        + "]";
  }
}
