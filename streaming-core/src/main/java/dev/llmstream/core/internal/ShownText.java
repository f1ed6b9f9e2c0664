package dev.llmstream.core.internal;

import dev.llmstream.core.StreamEvent;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The text and reasoning a recovering stream has shown its subscriber, with the de-duplication of the
 * attempt after a recovery: a restarted answer ({@code RESTART_DEDUPE}) or a continuation that may turn
 * out to be one ({@code CONTINUE}, see {@link Dedupe#probing}). Maps each piece of the current attempt to
 * what the subscriber sees. Not thread-safe: guarded by the recovering source's lock.
 */
final class ShownText {
  private final StringBuilder text = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private @Nullable Dedupe textDedupe;
  private @Nullable Dedupe reasoningDedupe;

  String text() {
    return text.toString();
  }

  String reasoning() {
    return reasoning.toString();
  }

  boolean hasText() {
    return text.length() > 0;
  }

  /** The next attempt restarts the answer: what repeats the text shown is skipped. */
  void expectRestart() {
    textDedupe = new Dedupe(text.toString());
    reasoningDedupe = new Dedupe(reasoning.toString());
  }

  /** The next attempt continues the answer, unless it turns out to restart it. */
  void expectContinuation() {
    textDedupe = Dedupe.probing(text.toString());
    reasoningDedupe = reasoning.length() == 0 ? null : Dedupe.probing(reasoning.toString());
  }

  /** Nothing to continue from: the reasoning shown is dropped (the caller announces it). */
  void dropReasoning() {
    reasoning.setLength(0);
  }

  /**
   * A piece of the current attempt.
   *
   * @param piece the text
   * @param isText text ({@code true}) or reasoning
   * @param out receives what the subscriber sees: the piece, part of it, nothing, or a Replaced event
   */
  void offer(String piece, boolean isText, List<StreamEvent> out) {
    Dedupe d = isText ? textDedupe : reasoningDedupe;
    if (d == null) {
      append(piece, isText, out);
      return;
    }
    String fresh = d.offer(piece);
    if (fresh == null) {
      replaceWithCandidates(out);
    } else {
      append(fresh, isText, out);
    }
    if (d.passedThrough()) {
      if (isText) {
        textDedupe = null;
      } else {
        reasoningDedupe = null;
      }
    }
  }

  /** The attempt finished the answer: settles what is still held. */
  void finish(List<StreamEvent> out) {
    // a continuation that ended while still possibly a restart was a short continuation: show it
    if (reasoningDedupe != null && reasoningDedupe.probing()) {
      append(reasoningDedupe.candidate(), false, out);
      reasoningDedupe = null;
    }
    if (textDedupe != null && textDedupe.probing()) {
      append(textDedupe.candidate(), true, out);
      textDedupe = null;
    }
    // a restarted answer shorter than what was shown replaces it
    boolean shorter =
        (textDedupe != null && !textDedupe.passedThrough() && textDedupe.isShorter())
            || (reasoningDedupe != null && !reasoningDedupe.passedThrough() && reasoningDedupe.isShorter());
    if (shorter) {
      replaceWithCandidates(out);
    }
    textDedupe = null;
    reasoningDedupe = null;
  }

  private void append(String piece, boolean isText, List<StreamEvent> out) {
    if (!piece.isEmpty()) {
      (isText ? text : reasoning).append(piece);
      out.add(isText ? new StreamEvent.TextDelta(piece) : new StreamEvent.ReasoningDelta(piece));
    }
  }

  /** The restarted answer diverged: what the UI shows is replaced by what the new attempt said. */
  private void replaceWithCandidates(List<StreamEvent> out) {
    String newText = textDedupe != null ? textDedupe.replacement() : text.toString();
    String newReasoning = reasoningDedupe != null ? reasoningDedupe.replacement() : reasoning.toString();
    textDedupe = null;
    reasoningDedupe = null;
    text.setLength(0);
    text.append(newText);
    reasoning.setLength(0);
    reasoning.append(newReasoning);
    out.add(new StreamEvent.Replaced(newText, newReasoning));
  }
}
