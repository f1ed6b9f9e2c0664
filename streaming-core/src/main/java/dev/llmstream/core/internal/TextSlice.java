package dev.llmstream.core.internal;

/**
 * A read-only window onto part of a live text view; copies only when {@link #toString()} is called. The
 * UI adapter hands one to the sink when it merged several batches, so a merged batch costs no copy
 * unless the sink asks for a {@code String}. Valid while the view does not shrink; not thread-safe.
 */
final class TextSlice implements CharSequence {
  private final CharSequence target;
  private final int from;
  private final int to;

  TextSlice(CharSequence target, int from, int to) {
    this.target = target;
    this.from = from;
    this.to = to;
  }

  @Override
  public int length() {
    return to - from;
  }

  @Override
  public char charAt(int index) {
    if (index < 0 || index >= to - from) {
      throw new IndexOutOfBoundsException("index " + index + ", length " + (to - from));
    }
    return target.charAt(from + index);
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    if (start < 0 || end > to - from || start > end) {
      throw new IndexOutOfBoundsException("start " + start + ", end " + end + ", length " + (to - from));
    }
    return target.subSequence(from + start, from + end);
  }

  @Override
  public String toString() {
    return target.subSequence(from, to).toString();
  }
}
