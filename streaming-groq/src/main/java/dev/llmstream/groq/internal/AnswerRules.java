package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.Usage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * When one answer is complete, what it may hold, and how its failures read: applies parsed {@link Chunk}s
 * to the answer's state. Pure and JSON-free (its tests build chunks by hand).
 *
 * <p><b>Emit order.</b> Deltas as they come; then, once, {@link StreamEvent.Finish} carrying the latest
 * usage seen (Groq repeats the same usage in {@code x_groq.usage}, top-level {@code usage} and sometimes
 * a trailing chunk: it is reported once, never summed).
 *
 * <p><b>When the answer is done.</b> On the chunk with {@code finish_reason}: if usage is known by then
 * (Groq puts it in that chunk) the answer is done at once. Otherwise (OpenAI-style servers send usage in a
 * trailing {@code choices: []} chunk) the finish is held until the next chunk carrying usage,
 * {@code [DONE]}, the end of the body, or {@link #finishNow} (the caller's idle timer). {@code [DONE]}
 * without any {@code finish_reason} ends the answer with {@link FinishReason#STOP} and no raw reason.
 *
 * <p><b>Limits.</b> A chunk that would take the answer over {@code maxAnswerChars} (text and reasoning)
 * or {@code maxToolArgumentChars} (tool-call arguments, ids and names) is not delivered: a
 * {@code LIMIT_EXCEEDED} {@link StreamException} names the setting.
 *
 * <p>Not thread-safe: one per attempt, fed serially.
 */
final class AnswerRules {
  private static final int EXCERPT = 500;

  private final int httpStatus;
  private final int maxAnswerChars;
  private final int maxToolArgumentChars;
  private long answerChars;
  private long toolChars;
  private @Nullable String requestId;
  private @Nullable String model;
  private @Nullable Usage usage;
  private @Nullable String rawFinish;
  private boolean finishPending;
  private boolean done;
  private boolean sawToken;

  AnswerRules(int httpStatus, @Nullable String requestId, int maxAnswerChars, int maxToolArgumentChars) {
    this.httpStatus = httpStatus;
    this.requestId = requestId;
    this.maxAnswerChars = maxAnswerChars;
    this.maxToolArgumentChars = maxToolArgumentChars;
  }

  /**
   * Applies one parsed chunk: its deltas go to {@code out} unless they break a limit; a finish completes
   * the answer or is held for usage.
   *
   * @throws StreamException ({@code UPSTREAM}) if the chunk reported an error
   * @throws StreamException ({@code LIMIT_EXCEEDED}) if the chunk would take the answer over a limit
   */
  void accept(Chunk chunk, List<StreamEvent> out) {
    note(chunk);
    Chunk.WireError error = chunk.error;
    if (error != null) {
      throw upstream(error);
    }
    List<StreamEvent> deltas = chunk.deltas;
    checkLimits(deltas);
    for (int i = 0, n = deltas.size(); i < n; i++) {
      out.add(deltas.get(i)); // not addAll: it copies the list into a new array per chunk
    }
    if (chunk.finish != null) {
      if (usage != null) {
        complete(out);
      } else {
        finishPending = true;
      }
    } else if (finishPending && chunk.usage != null) {
      complete(out);
    }
  }

  /**
   * The state a chunk read part-way carried (id, model, usage, finish) is kept, and the chunk is reported
   * malformed.
   *
   * @return the {@code PROTOCOL} failure to throw
   */
  StreamException malformed(Chunk partial, String what, @Nullable Throwable cause) {
    note(partial);
    return new StreamException(
        ErrorKind.PROTOCOL, "Malformed chat-completion stream: " + what, httpStatus, requestId, cause);
  }

  private void note(Chunk chunk) {
    if (chunk.id != null && requestId == null) {
      requestId = chunk.id;
    }
    if (chunk.model != null && model == null) {
      model = chunk.model;
    }
    if (chunk.usage != null) {
      usage = chunk.usage;
    }
    if (chunk.finish != null) {
      rawFinish = chunk.finish;
    }
    sawToken |= chunk.sawToken;
  }

  /** Counts the chunk's characters against the limits before any of it is delivered. */
  private void checkLimits(List<StreamEvent> deltas) {
    long text = 0;
    long tools = 0;
    for (int i = 0, n = deltas.size(); i < n; i++) { // indexed: no iterator per chunk
      StreamEvent e = deltas.get(i);
      if (e instanceof StreamEvent.TextDelta t) {
        text += t.text().length();
      } else if (e instanceof StreamEvent.ReasoningDelta r) {
        text += r.text().length();
      } else if (e instanceof StreamEvent.ToolCallDelta d) {
        tools += d.arguments().length()
            + (d.id() == null ? 0 : d.id().length())
            + (d.name() == null ? 0 : d.name().length());
      }
    }
    if (answerChars + text > maxAnswerChars) {
      throw limit("text and reasoning", "maxAnswerChars", maxAnswerChars);
    }
    if (toolChars + tools > maxToolArgumentChars) {
      throw limit("tool-call arguments", "maxToolArgumentChars", maxToolArgumentChars);
    }
    answerChars += text;
    toolChars += tools;
  }

  private StreamException limit(String what, String setting, int max) {
    return new StreamException(ErrorKind.LIMIT_EXCEEDED, "The answer's "
            + what
            + " exceed "
            + setting
            + " ("
            + max
            + " characters); the answer so far is kept as the partial answer. Raise "
            + "GroqProvider.Builder."
            + setting
            + "(int) if such answers are legitimate",
        httpStatus,
        requestId,
        null);
  }

  /** {@code [DONE]}: the answer is complete, with STOP if no finish reason was seen. */
  void doneMarker(List<StreamEvent> out) {
    complete(out);
  }

  /** The body ended: a held finish completes the answer; otherwise the answer was cut. */
  void endOfStream(List<StreamEvent> out) {
    if (done) {
      return;
    }
    if (finishPending) {
      complete(out);
      return;
    }
    throw new StreamException(ErrorKind.CONNECTION,
        "The server closed the stream before the answer finished (no finish_reason and no [DONE])",
        httpStatus,
        requestId,
        null);
  }

  /** The idle timer fired while a finish was held for a trailing usage chunk: finish without it. */
  void finishNow(List<StreamEvent> out) {
    if (!done && finishPending) {
      complete(out);
    }
  }

  boolean isDone() {
    return done;
  }

  boolean isFinishPending() {
    return finishPending && !done;
  }

  boolean sawToken() {
    return sawToken;
  }

  @Nullable String requestId() {
    return requestId;
  }

  @Nullable String model() {
    return model;
  }

  private void complete(List<StreamEvent> out) {
    done = true;
    finishPending = false;
    String raw = rawFinish;
    out.add(
        raw == null
            ? new StreamEvent.Finish(FinishReason.STOP, null, usage)
            : new StreamEvent.Finish(FinishReason.fromWire(raw), raw, usage));
  }

  /**
   * The failure for an error the server reported in the stream.
   *
   * @return the {@code UPSTREAM} failure to throw
   */
  StreamException upstream(Chunk.WireError error) {
    String code = error.code();
    return StreamException.upstream(
        "The server reported an error in the stream"
            + (code != null ? " (" + code + ")" : "")
            + ": "
            + bounded(error.message()),
        error.status(),
        requestId,
        error.type(),
        code);
  }

  /** The first 500 characters of {@code s}, with an ellipsis if it was longer. */
  static String bounded(String s) {
    return s.length() <= EXCERPT ? s : s.substring(0, EXCERPT) + "…";
  }
}
