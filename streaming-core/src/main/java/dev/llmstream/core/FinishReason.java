package dev.llmstream.core;

import java.util.Locale;

/**
 * Why a model answer ended.
 *
 * <p>The provider maps its wire value with {@link #fromWire(String)}; the core adds {@link #CANCELLED}
 * when the caller stopped the stream and {@link #ERROR} (in {@link ChatResponse#finishReason()}) when it
 * failed. Immutable and thread-safe.
 */
public enum FinishReason {
  /** The model finished its answer naturally or hit a stop sequence. */
  STOP,
  /** The answer was cut at the token limit ({@code max_completion_tokens}) or context length. */
  LENGTH,
  /** The model stopped to let the caller run tool calls. */
  TOOL_CALLS,
  /** The provider's content filter stopped the answer. */
  CONTENT_FILTER,
  /** The caller cancelled the stream through a {@link CancellationToken}. */
  CANCELLED,
  /** The stream failed; the error holds the partial answer. */
  ERROR,
  /** A reason this library does not know; the provider's raw value is kept where available. */
  OTHER;

  /**
   * Maps a provider's {@code finish_reason} string.
   *
   * @param wire the raw value, such as {@code "stop"} or {@code "tool_calls"}
   * @return the matching constant, or {@link #OTHER} for an unknown value
   */
  public static FinishReason fromWire(String wire) {
    switch (wire.toLowerCase(Locale.ROOT)) {
      case "stop":
      case "end_turn":
      case "stop_sequence":
        return STOP;
      case "length":
      case "max_tokens":
        return LENGTH;
      case "tool_calls":
      case "function_call":
      case "tool_use":
        return TOOL_CALLS;
      case "content_filter":
        return CONTENT_FILTER;
      default:
        return OTHER;
    }
  }

  /**
   * Returns the OpenAI-style wire name of this reason ({@code "stop"}, {@code "length"},
   * {@code "tool_calls"}, {@code "content_filter"}, {@code "cancelled"}, {@code "error"}, {@code "other"}).
   *
   * @return the lower-case wire name
   */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
