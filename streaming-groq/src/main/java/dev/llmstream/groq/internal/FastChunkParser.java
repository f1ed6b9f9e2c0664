package dev.llmstream.groq.internal;

import dev.llmstream.core.StreamEvent;
import java.nio.charset.StandardCharsets;

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
 * <p>Not thread-safe: one per decoder. Holds no reference to the event's bytes between calls.
 */
final class FastChunkParser extends JsonBytes {
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
    expect('{');
    if (!emptyObject()) {
      do {
        int key = key();
        int keyEnd = pos - 1;
        colon();
        if (is(key, keyEnd, CHOICES)) {
          if (peek() == '[') {
            choices(chunk);
          } else {
            skipValue(1);
          }
        } else if (is(key, keyEnd, MODEL)) {
          byte b = peek();
          if (b == '"' && wantModel && chunk.model == null) {
            pos++;
            chunk.model = string();
          } else {
            scalar(b);
          }
        } else if (is(key, keyEnd, X_GROQ) || is(key, keyEnd, USAGE) || is(key, keyEnd, ERROR)) {
          literal(NULL);
        } else {
          skipValue(1);
        }
      } while (next('}'));
    }
    while (pos < end) {
      if (!JacksonChunkParser.isSpace(d[pos++])) {
        throw notFast;
      }
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
