package dev.llmstream.testkit.internal;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The events of a synthetic answer, produced one at a time as the {@link ResponsePlan} asks: role, reasoning,
 * text, generated tokens, tool calls, finish (with usage timed on the server's clock), {@code [DONE]}.
 * Not thread-safe; one per response.
 */
final class AnswerEvents implements Iterator<String> {
  private final ScriptSpec spec;
  private final GroqWire.Ids ids;
  private final long promptTokens;
  private final LongSupplier clock;
  private final long startNanos;
  private long firstTokenNanos = -1;
  private int phase; // 0 role, 1 reasoning, 2 text, 3 generated, 4 tools, 5 finish, 6 done, 7 end
  private int pos;
  private long generated;
  private int tool;
  private long completionTokens;
  private @Nullable String lookahead;

  AnswerEvents(ScriptSpec spec, GroqWire.Ids ids, long promptTokens, LongSupplier clock) {
    this.spec = spec;
    this.ids = ids;
    this.promptTokens = promptTokens;
    this.clock = clock;
    this.startNanos = clock.getAsLong();
  }

  @Override
  public boolean hasNext() {
    if (lookahead == null) {
      lookahead = produce();
    }
    return lookahead != null;
  }

  @Override
  public String next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    String s = lookahead;
    lookahead = null;
    return s;
  }

  private @Nullable String produce() {
    while (true) {
      switch (phase) {
        case 0:
          phase = 1;
          boolean onlyTools = spec.text == null && spec.reasoning == null && spec.generatedTokens == 0
              && !spec.toolCalls.isEmpty();
          return GroqWire.roleChunk(ids, onlyTools);
        case 1:
        case 2: {
          String source = phase == 1 ? spec.reasoning : spec.text;
          if (source == null || pos >= source.length()) {
            phase++;
            pos = 0;
            continue;
          }
          int end = spec.chunking.nextEnd(source, pos);
          if (end <= pos || end > source.length()) {
            throw new IllegalStateException("chunking returned " + end + " at " + pos);
          }
          String piece = source.substring(pos, end);
          pos = end;
          return token(GroqWire.deltaChunk(ids, phase == 1 ? "reasoning" : "content", piece));
        }
        case 3:
          if (generated >= spec.generatedTokens || spec.generator == null) {
            phase = 4;
            continue;
          }
          String tok = spec.generator.apply(generated++);
          if (tok == null || tok.isEmpty()) {
            throw new IllegalStateException("generatedText: token " + (generated - 1) + " is empty");
          }
          return token(GroqWire.deltaChunk(ids, "content", tok));
        case 4:
          if (tool >= spec.toolCalls.size()) {
            phase = 5;
            continue;
          }
          ScriptSpec.ToolSpec call = spec.toolCalls.get(tool);
          return token(GroqWire.toolCallChunk(ids, tool++, call));
        case 5: {
          phase = 6;
          String reason = spec.finishReason != null ? spec.finishReason
              : spec.toolCalls.isEmpty() ? "stop" : "tool_calls";
          long now = clock.getAsLong();
          double queue = 0.0123;
          double promptTime = firstTokenNanos < 0 ? 0.001 : Math.max(0.001, (firstTokenNanos - startNanos) / 1e9 - queue);
          double completion = firstTokenNanos < 0 ? 0.0 : Math.max(0, (now - firstTokenNanos) / 1e9);
          return GroqWire.finishChunk(ids, reason,
              new GroqWire.UsageNumbers(queue, promptTokens, promptTime, completionTokens, completion));
        }
        case 6:
          phase = 7;
          return GroqWire.DONE;
        default:
          return null;
      }
    }
  }

  private String token(String event) {
    if (firstTokenNanos < 0) {
      firstTokenNanos = clock.getAsLong();
    }
    completionTokens++;
    return event;
  }
}
