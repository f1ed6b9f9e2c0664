package dev.llmstream.core;

import java.util.Objects;

/**
 * A complete tool (function) call requested by the model: the fragments of one {@code index} joined.
 * Immutable and thread-safe.
 *
 * @param index the position of the call in the model's answer
 * @param id the provider's call id (empty when the provider sent none)
 * @param name the function name (empty when the provider sent none)
 * @param arguments the arguments as the model wrote them, normally a JSON object
 */
public record ToolCall(int index, String id, String name, String arguments) {
  /**
   * Validates the components.
   *
   * @param index the position of the call in the model's answer
   * @param id the provider's call id (empty when the provider sent none)
   * @param name the function name (empty when the provider sent none)
   * @param arguments the arguments as the model wrote them, normally a JSON object
   */
  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arguments, "arguments");
  }
}
