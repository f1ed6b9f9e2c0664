package dev.llmstream.core.internal;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.ToolCall;
import dev.llmstream.core.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Folds a stream's events into the full answer: text and reasoning appended, tool-call fragments joined by
 * index, the latest usage kept (never summed), the finish reason recorded.
 *
 * <p>Work is linear in the answer's length: each delta is appended once to a growing buffer, and the full
 * text is only copied when {@link #snapshot()} is called. {@link #text()} offers a live view without a
 * copy.
 *
 * <p>Not thread-safe: feed it from one thread (a stream's subscriber is called serially) or guard it.
 */
public final class AnswerAccumulator {
  private final StringBuilder text = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private boolean sawReasoning;
  private final TreeMap<Integer, ToolCallBuilder> toolCalls = new TreeMap<>();
  private @Nullable Usage usage;
  private @Nullable FinishReason finishReason;
  private long deltas;

  /** Creates an empty accumulator. */
  public AnswerAccumulator() {}

  /**
   * Folds one event into the answer.
   *
   * @param event the next event of the stream
   */
  public void accept(StreamEvent event) {
    if (event instanceof StreamEvent.TextDelta t) {
      text.append(t.text());
      deltas++;
    } else if (event instanceof StreamEvent.ReasoningDelta r) {
      reasoning.append(r.text());
      sawReasoning = true;
      deltas++;
    } else if (event instanceof StreamEvent.ToolCallDelta d) {
      toolCalls.computeIfAbsent(d.index(), i -> new ToolCallBuilder()).add(d);
      deltas++;
    } else if (event instanceof StreamEvent.Finish f) {
      finishReason = f.reason();
      if (f.usage() != null) {
        usage = f.usage();
      }
    } else if (event instanceof StreamEvent.Replaced r) {
      text.setLength(0);
      text.append(r.text());
      reasoning.setLength(0);
      reasoning.append(r.reasoning());
      sawReasoning = !r.reasoning().isEmpty();
      toolCalls.clear();
    }
    // Waiting and Recovering do not change the answer.
  }

  /**
   * Records that the stream ended with {@code reason} without a {@link StreamEvent.Finish} event (for
   * example {@link FinishReason#ERROR}).
   *
   * @param reason the finish reason
   */
  public void finish(FinishReason reason) {
    this.finishReason = reason;
  }

  /**
   * A live, read-only view of the text so far: no copy is made. The view changes as events are accepted,
   * so read it on the thread that feeds the accumulator.
   *
   * @return the text so far
   */
  public CharSequence text() {
    return new ReadOnlyView(text);
  }

  /**
   * A live, read-only view of the reasoning so far.
   *
   * @return the reasoning so far (empty when none)
   */
  public CharSequence reasoning() {
    return new ReadOnlyView(reasoning);
  }

  /**
   * The number of text, reasoning and tool-call deltas accepted so far (a proxy for tokens).
   *
   * @return the count
   */
  public long deltaCount() {
    return deltas;
  }

  /**
   * Copies the answer so far into an immutable {@link ChatResponse}. Costs one copy of the text.
   *
   * @return the answer so far
   */
  public ChatResponse snapshot() {
    List<ToolCall> calls = new ArrayList<>(toolCalls.size());
    toolCalls.forEach((index, b) -> calls.add(b.build(index)));
    return new ChatResponse(
        text.toString(), sawReasoning ? reasoning.toString() : null, calls, usage, finishReason);
  }

  private static final class ToolCallBuilder {
    private @Nullable String id;
    private @Nullable String name;
    private final StringBuilder arguments = new StringBuilder();

    void add(StreamEvent.ToolCallDelta d) {
      if (d.id() != null && !d.id().isEmpty()) {
        id = d.id();
      }
      if (d.name() != null && !d.name().isEmpty()) {
        name = name == null ? d.name() : name;
      }
      arguments.append(d.arguments());
    }

    ToolCall build(int index) {
      return new ToolCall(index, id == null ? "" : id, name == null ? "" : name, arguments.toString());
    }
  }

  /** A CharSequence view that hides the builder's mutators. */
  private static final class ReadOnlyView implements CharSequence {
    private final StringBuilder target;

    ReadOnlyView(StringBuilder target) {
      this.target = target;
    }

    @Override
    public int length() {
      return target.length();
    }

    @Override
    public char charAt(int index) {
      return target.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return target.subSequence(start, end);
    }

    @Override
    public String toString() {
      return target.toString();
    }
  }
}
