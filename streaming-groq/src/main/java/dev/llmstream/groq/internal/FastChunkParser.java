package dev.llmstream.groq.internal;

import dev.llmstream.core.StreamEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The fast path for the dominant chunk shape, {@code {"choices":[{"delta":{"content":"…"},…}],…}}:
 * one pass over the bytes, no tokens for the fields it does not use (they are only validated), each string
 * it keeps decoded once, straight from the bytes.
 *
 * <p>It reads only a strict subset of JSON and answers {@code false} for anything outside it, leaving the
 * chunk to {@link JacksonChunkParser}: so whatever it accepts, Jackson would read the same way. Outside
 * the subset: {@code x_groq}, {@code usage} or {@code error} with a value other than {@code null};
 * tool calls; a choice whose {@code index} is not the literal {@code 0}; a non-object in {@code choices};
 * an object or array where {@code content}, {@code finish_reason}, {@code model} or {@code index}
 * stands; a key with an escape or a non-ASCII byte; invalid or non-shortest UTF-8; a number longer than
 * 100 characters or not in JSON's grammar; nesting deeper than {@value JsonBytes#MAX_DEPTH}; a string over
 * {@value JsonBytes#MAX_STRING} bytes; anything malformed. {@link ChunkDecoder} falls back on the Jackson parser
 * then, which reads the chunk from scratch.
 *
 * <p>Every chunk of one answer starts with the same fields ({@code id}, {@code object}, {@code created},
 * {@code model}, {@code system_fingerprint}) in the same bytes. After a chunk read whole, the parser keeps
 * its bytes from {@code {} to the value of {@code choices} (at most {@value #MAX_MEMO}); a next chunk
 * that starts with exactly those bytes skips them with one vectorized comparison instead of lexing them
 * again: the bytes were valid then and mean the same now ({@code model} included). A prefix holding
 * {@code x_groq}, {@code usage} or {@code error} is never kept.
 *
 * <p>Not thread-safe: one per decoder. Holds no reference to the event's bytes between calls (the
 * remembered prefix is a copy).
 */
final class FastChunkParser extends JsonBytes {
  /** The longest prefix remembered (a chunk's fields before {@code choices}; Groq's are ~200 bytes). */
  private static final int MAX_MEMO = 1024;

  // The previous whole chunk's bytes from '{' to the value of "choices" (id, object, created, model,
  // system_fingerprint: the same in every chunk of an answer), and what reading them gave.
  private byte[] memo = new byte[0];
  private int memoLength;
  private @Nullable String memoModel;
  private boolean memoWantModel;
  private int pendingMemoEnd;
  private @Nullable String pendingModel;

  /**
   * Reads the object in {@code data[start, length)} into {@code chunk} (cleared by the caller) if it has
   * the shape this path knows.
   *
   * @param wantModel whether to read {@code model}
   * @return {@code true} if read; {@code false} if the chunk must go to the Jackson parser ({@code chunk}
   *     then holds partial garbage: clear it)
   */
  boolean parse(byte[] data, int start, int length, Chunk chunk, boolean wantModel) {
    begin(data, start, length);
    try {
      root(chunk, wantModel);
      return true;
    } catch (NotFast e) {
      return false;
    } finally {
      release();
    }
  }

  private void root(Chunk chunk, boolean wantModel) {
    int objStart = pos;
    pendingMemoEnd = 0;
    pendingModel = null;
    if (memoLength > 0 && end - objStart > memoLength && wantModel == memoWantModel
        && Arrays.equals(d, objStart, objStart + memoLength, memo, 0, memoLength)) {
      // the same bytes up to "choices": as the last chunk read whole: the same fields, already validated
      pos = objStart + memoLength;
      if (wantModel && chunk.model == null) {
        chunk.model = memoModel;
      }
      choicesValue(chunk);
      if (next('}')) {
        members(chunk, wantModel, -1);
      }
    } else {
      expect('{');
      if (!emptyObject()) {
        members(chunk, wantModel, objStart);
      }
    }
    while (pos < end) {
      if (!JacksonChunkParser.isSpace(d[pos++])) {
        throw notFast;
      }
    }
    if (pendingMemoEnd > 0) { // the chunk was read whole: remember its prefix for the next one
      int n = pendingMemoEnd - objStart;
      if (memo.length < n) {
        memo = new byte[Math.max(n, 2 * memo.length)];
      }
      System.arraycopy(d, objStart, memo, 0, n);
      memoLength = n;
      memoModel = pendingModel;
      memoWantModel = wantModel;
    }
  }

  /**
   * The root object's members from the current one on. {@code objStart} is where the object began when
   * every member before the current one is in the bytes read so far (its prefix may then be remembered
   * up to the value of {@code choices}), or -1.
   */
  private void members(Chunk chunk, boolean wantModel, int objStart) {
    boolean memoable = objStart >= 0;
    do {
      int key = key();
      int keyEnd = pos - 1;
      colon();
      if (is(key, keyEnd, CHOICES)) {
        if (memoable && pendingMemoEnd == 0 && pos - objStart <= MAX_MEMO) {
          pendingMemoEnd = pos;
          pendingModel = chunk.model;
        }
        memoable = false;
        choicesValue(chunk);
      } else if (is(key, keyEnd, MODEL)) {
        byte b = peek();
        if (b == '"' && wantModel && chunk.model == null) {
          pos++;
          chunk.model = string();
        } else {
          scalar(b);
        }
      } else if (is(key, keyEnd, X_GROQ) || is(key, keyEnd, USAGE) || is(key, keyEnd, ERROR)) {
        memoable = false; // their null is the fast path's condition, not part of a reusable prefix
        literal(NULL);
      } else {
        skipValue(1);
      }
    } while (next('}'));
  }

  private void choicesValue(Chunk chunk) {
    if (peek() == '[') {
      choices(chunk);
    } else {
      skipValue(1);
    }
  }

  private void choices(Chunk chunk) {
    pos++; // [
    space();
    if (peek() == ']') {
      pos++;
      return;
    }
    do {
      space();
      expect('{');
      if (!emptyObject()) {
        do {
          int key = key();
          int keyEnd = pos - 1;
          colon();
          if (is(key, keyEnd, INDEX)) {
            if (at(pos) != '0') {
              throw notFast;
            }
            pos++;
            delimiter();
          } else if (is(key, keyEnd, DELTA)) {
            if (peek() == '{') {
              delta(chunk);
            } else {
              skipValue(3);
            }
          } else if (is(key, keyEnd, FINISH_REASON)) {
            byte b = peek();
            if (b == '"') {
              pos++;
              String finish = string();
              if (!finish.isEmpty()) {
                chunk.finish = finish;
              }
            } else {
              scalar(b);
            }
          } else {
            skipValue(3);
          }
        } while (next('}'));
      }
    } while (next(']'));
  }

  private void delta(Chunk chunk) {
    pos++; // {
    if (emptyObject()) {
      return;
    }
    do {
      int key = key();
      int keyEnd = pos - 1;
      colon();
      if (is(key, keyEnd, CONTENT)) {
        byte b = peek();
        if (b == '"') {
          pos++;
          String text = string();
          if (!text.isEmpty()) {
            chunk.deltas.add(new StreamEvent.TextDelta(text));
            chunk.sawToken = true;
          }
        } else {
          scalar(b);
        }
      } else if (is(key, keyEnd, REASONING) && peek() == '"') {
        pos++;
        String text = string();
        if (!text.isEmpty()) {
          chunk.deltas.add(new StreamEvent.ReasoningDelta(text));
          chunk.sawToken = true;
        }
      } else if (is(key, keyEnd, TOOL_CALLS) && peek() == '[') {
        throw notFast;
      } else {
        skipValue(4);
      }
    } while (next('}'));
  }

  private static final byte[] CHOICES = ascii("choices");
  private static final byte[] MODEL = ascii("model");
  private static final byte[] X_GROQ = ascii("x_groq");
  private static final byte[] USAGE = ascii("usage");
  private static final byte[] ERROR = ascii("error");
  private static final byte[] INDEX = ascii("index");
  private static final byte[] DELTA = ascii("delta");
  private static final byte[] FINISH_REASON = ascii("finish_reason");
  private static final byte[] CONTENT = ascii("content");
  private static final byte[] REASONING = ascii("reasoning");
  private static final byte[] TOOL_CALLS = ascii("tool_calls");




















}
