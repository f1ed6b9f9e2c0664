package dev.llmstream.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One typed event of a model answer, delivered in order by a {@link TokenStream}.
 *
 * <p>A stream delivers, in this order: {@link Waiting} once the request is on its way (the UI's typing
 * indicator), then any mix of {@link TextDelta}, {@link ReasoningDelta} and {@link ToolCallDelta},
 * and {@link Finish} last before {@code onComplete}, carrying the token usage when the provider reported
 * it. During recovery after a broken connection a stream may also deliver
 * {@link Recovering} and {@link Replaced}. A failed stream ends with {@code onError} instead of
 * {@link Finish}.
 *
 * <p>All events are immutable records and safe to share between threads. The hierarchy is sealed, so a
 * {@code switch} over it can be exhaustive.
 */
public sealed interface StreamEvent
    permits StreamEvent.Waiting,
        StreamEvent.TextDelta,
        StreamEvent.ReasoningDelta,
        StreamEvent.ToolCallDelta,
        StreamEvent.Finish,
        StreamEvent.Recovering,
        StreamEvent.Replaced {

  /**
   * The request was sent and the stream waits for the first token: show a typing indicator. Delivered
   * at most once per attempt, before any token.
   *
   * @param requestId the provider's request id when already known, else {@code null}
   */
  record Waiting(@Nullable String requestId) implements StreamEvent {}

  /**
   * A piece of the answer's text, verbatim (whitespace and markup included).
   *
   * @param text the new text, never empty
   */
  record TextDelta(String text) implements StreamEvent {
    /**
     * Validates the text.
     *
     * @param text the new text, never empty
     */
    public TextDelta {
      requireText(text);
    }
  }

  /**
   * A piece of the model's reasoning ("thinking") text, separate from the answer.
   *
   * @param text the new reasoning text, never empty
   */
  record ReasoningDelta(String text) implements StreamEvent {
    /**
     * Validates the text.
     *
     * @param text the new reasoning text, never empty
     */
    public ReasoningDelta {
      requireText(text);
    }
  }

  /**
   * A fragment of a tool call. Fragments with the same {@code index} belong to one call: the first
   * normally carries {@code id} and {@code name}, and the {@code arguments} fragments join to the full
   * arguments (some providers send the whole call in one fragment).
   *
   * @param index the tool call's position in the answer
   * @param id the call id when this fragment carries it, else {@code null}
   * @param name the function name when this fragment carries it, else {@code null}
   * @param arguments the next piece of the arguments (may be empty)
   */
  record ToolCallDelta(int index, @Nullable String id, @Nullable String name, String arguments)
      implements StreamEvent {
    /**
     * Validates the components.
     *
     * @param index the tool call's position in the answer
     * @param id the call id when this fragment carries it, else {@code null}
     * @param name the function name when this fragment carries it, else {@code null}
     * @param arguments the next piece of the arguments (may be empty)
     */
    public ToolCallDelta {
      if (index < 0) {
        throw new IllegalArgumentException("index must be >= 0, was " + index);
      }
      Objects.requireNonNull(arguments, "arguments");
    }
  }

  /**
   * The answer ended; {@code onComplete} follows. For a stream stopped through a
   * {@link CancellationToken} the reason is {@link FinishReason#CANCELLED}.
   *
   * <p>The usage is the provider's report for the whole answer (the Groq provider holds the finish until
   * the usage that follows it has arrived, so it is known whenever the provider sends one; after a
   * recovery it is marked {@link Usage#recovered()}). It is {@code null} when none was reported: a stream
   * stopped by its token, or a provider that reports no usage.
   *
   * @param reason why the answer ended
   * @param rawReason the provider's raw {@code finish_reason}, or {@code null}
   * @param usage the answer's token usage, or {@code null} if none was reported
   */
  record Finish(FinishReason reason, @Nullable String rawReason, @Nullable Usage usage)
      implements StreamEvent {
    /**
     * Validates the reason.
     *
     * @param reason why the answer ended
     * @param rawReason the provider's raw {@code finish_reason}, or {@code null}
     * @param usage the answer's token usage, or {@code null} if none was reported
     */
    public Finish {
      Objects.requireNonNull(reason, "reason");
    }

    /**
     * A finish event without usage.
     *
     * @param reason why the answer ended
     * @param rawReason the provider's raw {@code finish_reason}, or {@code null}
     */
    public Finish(FinishReason reason, @Nullable String rawReason) {
      this(reason, rawReason, null);
    }

    /**
     * A finish event without a raw reason or usage.
     *
     * @param reason why the answer ended
     * @return the event
     */
    public static Finish of(FinishReason reason) {
      return new Finish(reason, null);
    }
  }

  /**
   * The connection broke after the answer had started and the stream is trying to resume (show
   * "connection lost, resuming…"). Tokens that follow continue the same answer.
   *
   * @param attempt the recovery attempt, starting at 1
   * @param cause a short, displayable description of what broke (no secrets)
   */
  record Recovering(int attempt, String cause) implements StreamEvent {
    /**
     * Validates the components.
     *
     * @param attempt the recovery attempt, starting at 1
     * @param cause a short, displayable description of what broke (no secrets)
     */
    public Recovering {
      if (attempt < 1) {
        throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
      }
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * The content delivered so far is replaced: the UI redraws the answer from these values, and later
   * deltas append to them. Sent by recovery when what was shown cannot be continued (for example only
   * reasoning had arrived, or a restarted answer diverged).
   *
   * @param text the answer text that stands from now on
   * @param reasoning the reasoning text that stands from now on
   */
  record Replaced(String text, String reasoning) implements StreamEvent {
    /**
     * Validates the components.
     *
     * @param text the answer text that stands from now on
     * @param reasoning the reasoning text that stands from now on
     */
    public Replaced {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(reasoning, "reasoning");
    }
  }

  private static void requireText(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("text must not be empty");
    }
  }
}
