package dev.llmstream.core;

import dev.llmstream.core.internal.AnswerAccumulator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A model answer, complete or partial: what {@link #fold(Iterable)} makes of a stream's events.
 *
 * <p>Every terminal path hands one over: a completed stream through {@link TokenStream#collect()}, a
 * cancelled one with {@link FinishReason#CANCELLED}, and a failed one inside
 * {@link StreamException#partial()}. Immutable and thread-safe.
 *
 * @param text the answer text, verbatim
 * @param reasoning the reasoning text, or {@code null} when the model sent none
 * @param toolCalls complete tool calls in index order
 * @param usage the last usage reported, or {@code null}
 * @param finishReason why the answer ended, or {@code null} while it has not ended
 */
public record ChatResponse(
    String text,
    @Nullable String reasoning,
    List<ToolCall> toolCalls,
    @Nullable Usage usage,
    @Nullable FinishReason finishReason) {

  /** The empty answer: nothing was received. */
  public static final ChatResponse EMPTY = new ChatResponse("", null, List.of(), null, null);

  /**
   * Validates the components and copies the list.
   *
   * @param text the answer text, verbatim
   * @param reasoning the reasoning text, or {@code null} when the model sent none
   * @param toolCalls complete tool calls in index order
   * @param usage the last usage reported, or {@code null}
   * @param finishReason why the answer ended, or {@code null} while it has not ended
   */
  public ChatResponse {
    Objects.requireNonNull(text, "text");
    toolCalls = List.copyOf(toolCalls);
  }

  /**
   * Folds events into the answer they describe, as every stream does: text and reasoning appended,
   * tool-call fragments joined by index, the latest usage kept (never summed), the finish reason recorded,
   * a {@link StreamEvent.Replaced} starting over. For tests and tools that hold a list of events.
   *
   * @param events the events, in order
   * @return the answer
   * @throws NullPointerException if {@code events} or an event is null
   */
  public static ChatResponse fold(Iterable<? extends StreamEvent> events) {
    AnswerAccumulator acc = new AnswerAccumulator();
    for (StreamEvent e : events) {
      acc.accept(Objects.requireNonNull(e, "event"));
    }
    return acc.snapshot();
  }

  /**
   * Returns this answer with another finish reason.
   *
   * @param reason the new finish reason
   * @return a copy with {@code reason}
   */
  public ChatResponse withFinishReason(@Nullable FinishReason reason) {
    return new ChatResponse(text, reasoning, toolCalls, usage, reason);
  }

  /** Returns a short summary that never includes the text itself (it may be long or sensitive). */
  @Override
  public String toString() {
    return "ChatResponse[textLength="
        + text.length()
        + ", reasoningLength="
        + (reasoning == null ? "null" : reasoning.length())
        + ", toolCalls="
        + toolCalls.size()
        + ", usage="
        + usage
        + ", finishReason="
        + finishReason
        + "]";
  }
}
