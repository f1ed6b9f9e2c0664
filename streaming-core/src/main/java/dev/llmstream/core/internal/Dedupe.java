package dev.llmstream.core.internal;

import org.jspecify.annotations.Nullable;

/**
 * Prefix de-duplication of one channel for a restarted answer: swallows what repeats the text already
 * shown, passes on what goes beyond it, and reports divergence. Linear in the text's length. A probing
 * instance (a {@code CONTINUE} continuation) first decides whether the new text is a restart at all: it
 * holds the first characters while they repeat the beginning of the text shown; a difference before
 * {@link #RESTART_PROBE} of them (or all of a shorter text) matched means a real continuation, released
 * at once; otherwise it de-duplicates like a restart.
 */
final class Dedupe {
  /** How many leading characters a continuation must repeat to count as a restart of the answer. */
  static final int RESTART_PROBE = 16;

  private final String shown;
  private final StringBuilder candidate = new StringBuilder();
  private boolean through;
  /** Characters still to match before a probed continuation counts as a restart; 0 once it does. */
  private int probe;
  /** A {@code CONTINUE} continuation: until text goes beyond {@code shown}, it may still be one. */
  private final boolean continuation;

  Dedupe(String shown) {
    this(shown, 0, false);
  }

  private Dedupe(String shown, int probe, boolean continuation) {
    this.shown = shown;
    this.probe = probe;
    this.continuation = continuation;
    this.through = shown.isEmpty();
  }

  /** A dedupe for a continuation that may turn out to be a restart of {@code shown}. */
  static Dedupe probing(String shown) {
    return new Dedupe(shown, Math.min(shown.length(), RESTART_PROBE), true);
  }

  /**
   * Returns the part to show ("" while repeating or probing), or null if a restarted answer diverged.
   */
  @Nullable String offer(String piece) {
    if (through) {
      return piece;
    }
    int at = candidate.length();
    candidate.append(piece);
    int overlap = Math.min(piece.length(), shown.length() - at);
    if (!shown.regionMatches(at, piece, 0, overlap)) {
      int same = 0;
      while (same < overlap && shown.charAt(at + same) == piece.charAt(same)) {
        same++;
      }
      if (probe > 0 && at + same < probe) {
        through = true; // differs before the probe length: a continuation, released whole
        return candidate.toString();
      }
      probe = 0;
      return null; // a restart that went its own way
    }
    if (probe > 0 && candidate.length() >= probe) {
      probe = 0; // the continuation repeats the answer's beginning: a restart
    }
    // all of the text shown repeated: a restart (a continuation repeating it verbatim is ambiguous with
    // one, and showing the text once is the lesser harm)
    if (candidate.length() >= shown.length()) {
      through = true;
      return piece.substring(overlap);
    }
    return "";
  }

  boolean passedThrough() {
    return through;
  }

  /**
   * Whether, at the end of the answer, what this holds is a continuation rather than a restart: a
   * {@code CONTINUE} continuation that ended before repeating all of the text shown (a restart regenerates
   * at least the cut answer; a shorter text that repeats its beginning is the continuation of a
   * repetitive answer).
   */
  boolean probing() {
    return continuation && !through;
  }

  boolean isShorter() {
    return candidate.length() < shown.length();
  }

  String candidate() {
    return candidate.toString();
  }

  /** The whole text the channel should show if the UI is redrawn now. */
  String replacement() {
    return probe > 0 ? shown + candidate : candidate.toString();
  }
}
