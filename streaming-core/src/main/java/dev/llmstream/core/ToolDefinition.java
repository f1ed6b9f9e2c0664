package dev.llmstream.core;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A function the model may call. Immutable and thread-safe.
 *
 * @param name the function name: letters, digits, {@code _} or {@code -}, at most 64 characters
 * @param description what the function does, for the model (may be empty)
 * @param parametersJsonSchema the parameters as a JSON Schema object, as JSON text (sent verbatim)
 */
public record ToolDefinition(String name, String description, String parametersJsonSchema) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /**
   * Validates the definition.
   *
   * @param name the function name: letters, digits, {@code _} or {@code -}, at most 64 characters
   * @param description what the function does, for the model (may be empty)
   * @param parametersJsonSchema the parameters as a JSON Schema object, as JSON text (sent verbatim)
   * @throws IllegalArgumentException if the name is not a valid function name or the schema is not a
   *     JSON object
   */
  public ToolDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(parametersJsonSchema, "parametersJsonSchema");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "tool name must match [A-Za-z0-9_-]{1,64}, was '" + name + "'");
    }
    String s = parametersJsonSchema.strip();
    if (!s.startsWith("{") || !s.endsWith("}")) {
      throw new IllegalArgumentException(
          "parametersJsonSchema of tool '" + name + "' must be a JSON object");
    }
  }
}
