package dev.llmstream.groq.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cursor over one event's bytes that reads strict JSON and gives up (throws its preallocated
 * {@link NotFast}) at anything else: the lexer under {@link FastChunkParser}. It validates what it skips
 * (strings, numbers, literals, nesting) without making tokens, and decodes the strings it is asked for
 * once, straight from the bytes. What it accepts is a subset of what Jackson accepts with its defaults
 * (names up to 1,000 bytes, numbers up to 100 characters, strings up to {@value #MAX_STRING} bytes,
 * nesting below {@value #MAX_DEPTH}, strictly valid UTF-8), and it decodes it to the same strings.
 *
 * <p>Not thread-safe. Holds no reference to the event's bytes between {@link #begin} and {@link #release}.
 */
abstract class JsonBytes {
  static final int MAX_DEPTH = 64;
  static final int MAX_STRING = 1 << 20;
  private static final int MAX_NUMBER = 100;

  /** Thrown to abandon the fast path; preallocated, without a stack trace. */
  static final class NotFast extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFast() {
      super(null, null, false, false);
    }
  }

  final NotFast notFast = new NotFast();
  private static final byte[] EMPTY = new byte[0];
  byte[] d = EMPTY;
  int pos;
  int end;
  private char[] chars = new char[0];
  static final byte[] NULL = ascii("null");
  static final byte[] TRUE = ascii("true");
  static final byte[] FALSE = ascii("false");

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH = 0x8080808080808080L;
  private static final long QUOTES = ONES * '"';
  private static final long BACKSLASHES = ONES * '\\';
  private static final long SPACES = ONES * 0x20;

  /** Non-zero if some byte of {@code x} is zero (the classic bit trick; exact as a yes/no answer). */
  static long hasZero(long x) {
    return (x - ONES) & ~x & HIGH;
  }

  /** Starts reading {@code data[start, length)}. */
  final void begin(byte[] data, int start, int length) {
    d = data;
    pos = start;
    end = length;
  }

  /** Forgets the bytes (they are the caller's) and a rare long string's buffer. */
  final void release() {
    d = EMPTY;
    if (chars.length > 4096) {
      chars = new char[0];
    }
  }

  /** The byte at {@code i}, which must lie inside the event (the array may be longer). */
  final byte at(int i) {
    if (i >= end) {
      throw notFast;
    }
    return d[i];
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  final boolean is(int from, int to, byte[] name) {
    if (to - from != name.length) {
      return false;
    }
    for (int k = 0; k < name.length; k++) {
      if (at(from + k) != name[k]) {
        return false;
      }
    }
    return true;
  }

  /** After '{': skips whitespace; consumes '}' and answers true if the object is empty. */
  final boolean emptyObject() {
    space();
    if (at(pos) == '}') {
      pos++;
      return true;
    }
    return false;
  }

  /** Reads a key (plain ASCII, no escapes) up to its closing quote; returns where it starts. */
  final int key() {
    space();
    expect('"');
    int from = pos;
    int p = plain(from);
    if (at(p) != '"') {
      throw notFast; // an escape, a control character or non-ASCII in a name
    }
    pos = p + 1;
    if (pos - from > 1000) {
      throw notFast;
    }
    return from;
  }

  final void colon() {
    space();
    expect(':');
    space();
  }

  /** After a member or element: consumes ',' (true: another follows) or {@code close} (false). */
  final boolean next(char close) {
    space();
    byte b = at(pos++);
    if (b == ',') {
      return true;
    }
    if (b != close) {
      throw notFast;
    }
    return false;
  }

  final byte peek() {
    return at(pos);
  }

  final void expect(char c) {
    if (at(pos++) != c) {
      throw notFast;
    }
  }

  final void space() {
    while (pos < end && JacksonChunkParser.isSpace(d[pos])) {
      pos++;
    }
    if (pos >= end) {
      throw notFast;
    }
  }

  /** A value that must not be an object or an array (Jackson would read into it otherwise). */
  final void scalar(byte b) {
    if (b == '{' || b == '[') {
      throw notFast;
    }
    skipValue(MAX_DEPTH);
  }

  final void skipValue(int depth) {
    if (depth >= MAX_DEPTH) {
      if (peek() == '{' || peek() == '[') {
        throw notFast;
      }
    }
    byte b = at(pos);
    switch (b) {
      case '"' -> {
        pos++;
        skipString();
      }
      case '{' -> {
        pos++;
        if (!emptyObject()) {
          do {
            space();
            expect('"');
            int key = pos;
            skipString();
            if (pos - key > 1000) {
              throw notFast; // Jackson limits names to 50,000 characters
            }
            colon();
            skipValue(depth + 1);
          } while (next('}'));
        }
      }
      case '[' -> {
        pos++;
        space();
        if (at(pos) == ']') {
          pos++;
          return;
        }
        do {
          space();
          skipValue(depth + 1);
        } while (next(']'));
      }
      case 't' -> literal(TRUE);
      case 'f' -> literal(FALSE);
      case 'n' -> literal(NULL);
      default -> number();
    }
  }

  final void literal(byte[] word) {
    for (byte w : word) {
      if (at(pos++) != w) {
        throw notFast;
      }
    }
    delimiter();
  }

  /** A scalar must be followed by whitespace, ',', '}' or ']'. */
  final void delimiter() {
    byte b = at(pos);
    if (b != ',' && b != '}' && b != ']' && !JacksonChunkParser.isSpace(b)) {
      throw notFast;
    }
  }

  /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  final void number() {
    int from = pos;
    if (at(pos) == '-') {
      pos++;
    }
    if (at(pos) == '0') {
      pos++;
    } else if (digits() == 0) {
      throw notFast;
    }
    if (at(pos) == '.') {
      pos++;
      if (digits() == 0) {
        throw notFast;
      }
    }
    if (at(pos) == 'e' || at(pos) == 'E') {
      pos++;
      if (at(pos) == '+' || at(pos) == '-') {
        pos++;
      }
      if (digits() == 0) {
        throw notFast;
      }
    }
    if (pos - from > MAX_NUMBER) {
      throw notFast;
    }
    delimiter();
  }

  final int digits() {
    int from = pos;
    int p = pos;
    byte[] b = d;
    while (p < end && b[p] >= '0' && b[p] <= '9') {
      p++;
    }
    pos = p;
    return p - from;
  }

  final void skipString() {
    int from = pos;
    int p = plain(pos);
    pos = p;
    for (byte b = at(p); b != '"'; b = at(pos)) {
      if (b >= 0x20 && b != '\\') {
        pos++;
      } else if (b == '\\') {
        escape();
      } else if (b < 0) {
        utf8();
      } else {
        throw notFast; // a control character
      }
    }
    pos++;
    if (pos - from > MAX_STRING) {
      throw notFast;
    }
  }

  /**
   * Decodes a string whose opening quote was consumed, up to and past its closing quote: plain ASCII is
   * copied in one go; escapes and UTF-8 are decoded into a reused char buffer.
   */
  final String string() {
    int from = pos;
    int p = plain(from);
    if (at(p) != '"') {
      return decode(from); // an escape, a control character or non-ASCII
    }
    pos = p + 1;
    return new String(d, from, p - from, StandardCharsets.ISO_8859_1);
  }

  /** From {@code p}, the position of the first byte that is not plain printable ASCII other than '\\'. */
  private int plain(int p) {
    byte[] b = d;
    int e = end;
    while (p + 8 <= e) { // eight bytes at a time while none of them is special
      long x = (long) LONGS.get(b, p);
      if (((x & HIGH) | hasZero(x ^ QUOTES) | hasZero(x ^ BACKSLASHES) | ((x - SPACES) & ~x & HIGH)) != 0) {
        break;
      }
      p += 8;
    }
    while (p < e) {
      byte c = b[p];
      if (c == '"' || c == '\\' || c < 0x20) { // also non-ASCII: bytes are signed
        return p;
      }
      p++;
    }
    return p;
  }

  final String decode(int from) {
    pos = from;
    int n = 0;
    for (byte b = at(pos); b != '"'; b = at(pos)) {
      if (n + 2 > chars.length) {
        if (pos - from > MAX_STRING) {
          throw notFast;
        }
        chars = Arrays.copyOf(chars, Math.max(256, chars.length * 2));
      }
      if (b >= 0x20 && b != '\\') {
        chars[n++] = (char) b;
        pos++;
      } else if (b == '\\') {
        chars[n++] = escape();
      } else if (b < 0) {
        int cp = utf8();
        if (cp >= 0x10000) {
          chars[n++] = Character.highSurrogate(cp);
          chars[n++] = Character.lowSurrogate(cp);
        } else {
          chars[n++] = (char) cp;
        }
      } else {
        throw notFast;
      }
    }
    pos++;
    if (pos - from > MAX_STRING) {
      throw notFast;
    }
    return new String(chars, 0, n);
  }

  /** At a backslash: reads the escape, returns the char it stands for. */
  final char escape() {
    byte e = at(pos + 1);
    pos += 2;
    switch (e) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u':
        int c = 0;
        for (int k = 0; k < 4; k++) {
          int h = Character.digit(at(pos++), 16);
          if (h < 0) {
            throw notFast;
          }
          c = (c << 4) | h;
        }
        return (char) c;
      default:
        throw notFast;
    }
  }

  /** At a non-ASCII byte: reads one strictly valid UTF-8 sequence (shortest form, no surrogates). */
  final int utf8() {
    int b0 = at(pos) & 0xff;
    int n;
    int cp;
    int min;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      n = 1;
      cp = b0 & 0x1F;
      min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      n = 2;
      cp = b0 & 0x0F;
      min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      n = 3;
      cp = b0 & 0x07;
      min = 0x10000;
    } else {
      throw notFast;
    }
    for (int k = 1; k <= n; k++) {
      int c = at(pos + k) & 0xff;
      if ((c & 0xC0) != 0x80) {
        throw notFast;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      throw notFast;
    }
    pos += n + 1;
    return cp;
  }
}
