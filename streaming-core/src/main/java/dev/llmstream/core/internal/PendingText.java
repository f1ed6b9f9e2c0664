package dev.llmstream.core.internal;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.UiConfig;

/**
 * The text a {@link StreamBufferImpl} holds back between batches: the characters of one kind (answer text
 * or reasoning), when each part arrived, and where a batch may end. Pure: no clock (times are passed in),
 * no threads, no downstream; the buffer's drain loop owns it. Not thread-safe.
 *
 * <p>Arrival times are tracked per segment (one or more deltas), in absolute character offsets, for at
 * most {@value #MAX_SEGMENTS} segments: beyond that the newest segments merge, keeping the older arrival,
 * so deadlines can only come earlier, never later. Work is linear in the text's length: each character
 * is appended once, taken once, and moved at most once per halving when the buffer compacts.
 */
final class PendingText {
  /** After a burst, a buffer grown beyond this is dropped rather than kept. */
  private static final int RETAINED_CAPACITY = 16 * 1024;

  /** Arrival-time segments tracked for the pending text. */
  static final int MAX_SEGMENTS = 64;

  private StringBuilder pending = new StringBuilder();
  private int pendingStart;
  private boolean reasoning;
  private int deltas;
  private long since;
  private final long[] segEnd = new long[MAX_SEGMENTS];
  private final long[] segArrival = new long[MAX_SEGMENTS];
  private int segHead;
  private int segCount;
  private long appended;
  private long taken;
  private long charsCopied;

  /** Pending characters. */
  int length() {
    return pending.length() - pendingStart;
  }

  /** Whether the pending text is reasoning (else answer text); meaningful while {@link #length()} > 0. */
  boolean isReasoning() {
    return reasoning;
  }

  /** Upstream deltas in the pending text since the last {@link #takeDeltas()}. */
  int takeDeltas() {
    int d = deltas;
    deltas = 0;
    return d;
  }

  /** When the pending text started (the first append after it was empty, or the last cut's time). */
  long since() {
    return since;
  }

  /** Marks the rest, after a cut, as pending since {@code now} (it is never a leading edge). */
  void restSince(long now) {
    since = now;
  }

  /** Characters copied so far, into the pending text and out of it. */
  long charsCopied() {
    return charsCopied;
  }

  /**
   * Appends a delta; the caller has moved pending text of the other kind out first.
   *
   * @param reasoningDelta whether it is reasoning
   * @param text the delta's text
   * @param now the arrival time
   */
  void append(boolean reasoningDelta, String text, long now) {
    if (length() == 0) {
      reasoning = reasoningDelta;
      since = now;
      deltas = 0;
    }
    pending.append(text);
    charsCopied += text.length();
    deltas++;
    appended += text.length();
    int last = (segHead + segCount - 1) % MAX_SEGMENTS;
    if (segCount > 0 && (segArrival[last] == now || segCount == MAX_SEGMENTS)) {
      segEnd[last] = appended; // same instant, or full: merge, keeping the older arrival
    } else {
      int slot = (segHead + segCount) % MAX_SEGMENTS;
      segEnd[slot] = appended;
      segArrival[slot] = now;
      segCount++;
    }
  }

  /** When the oldest pending character arrived, or {@code now} if none is pending. */
  long oldestArrival(long now) {
    return segCount == 0 ? now : segArrival[segHead];
  }

  /** When the pending character at {@code index} arrived. */
  long arrivalAt(int index, long now) {
    long abs = taken + index;
    for (int i = 0; i < segCount; i++) {
      int slot = (segHead + i) % MAX_SEGMENTS;
      if (segEnd[slot] > abs) {
        return segArrival[slot];
      }
    }
    return now;
  }

  /** Removes the first {@code n} pending characters as an event of the pending kind. */
  StreamEvent take(int n) {
    String s = pending.substring(pendingStart, pendingStart + n);
    charsCopied += n;
    pendingStart += n;
    taken += n;
    while (segCount > 0 && segEnd[segHead] <= taken) {
      segHead = (segHead + 1) % MAX_SEGMENTS;
      segCount--;
    }
    if (pendingStart == pending.length()) {
      if (pending.capacity() > RETAINED_CAPACITY) {
        pending = new StringBuilder();
      } else {
        pending.setLength(0);
      }
      pendingStart = 0;
    } else if (pendingStart > pending.length() / 2 && pendingStart > 1024) {
      // compact: amortised, each character moves at most once per halving
      int rest = pending.length() - pendingStart;
      pending.delete(0, pendingStart);
      charsCopied += rest;
      pendingStart = 0;
    }
    return reasoning ? new StreamEvent.ReasoningDelta(s) : new StreamEvent.TextDelta(s);
  }

  /**
   * Where a batch ends with a boundary preference: just after the last boundary within the first
   * {@code maxBatch} pending characters, or 0 if there is none.
   */
  int boundaryCut(int maxBatch, UiConfig.Boundary boundary) {
    int limit = Math.min(length(), maxBatch);
    for (int i = limit - 1; i >= 0; i--) {
      char c = pending.charAt(pendingStart + i);
      boolean isBoundary =
          boundary == UiConfig.Boundary.LINE ? c == '\n' : Character.isWhitespace(c);
      if (isBoundary) {
        return i + 1;
      }
    }
    return 0;
  }

  /** Moves a cut at {@code n} pending characters off the middle of a surrogate pair. */
  int sizeSafe(int n) {
    if (n >= length()) {
      return length();
    }
    char before = pending.charAt(pendingStart + n - 1);
    char after = pending.charAt(pendingStart + n);
    if (Character.isHighSurrogate(before) && Character.isLowSurrogate(after)) {
      return n > 1 ? n - 1 : n + 1;
    }
    return n;
  }

  /** Drops everything (the buffer terminated). */
  void clear() {
    pending = new StringBuilder(0);
    pendingStart = 0;
    segCount = 0;
  }
}
