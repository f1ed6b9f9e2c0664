package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A byte-level Server-Sent Events scanner (the WHATWG event-stream grammar): bytes in, events out. No
 * I/O, no threads; feed it network buffers in order and it calls the {@link Listener} for every complete
 * event.
 *
 * <ul>
 *   <li>Lines end with LF, CRLF or CR, also when a CR ends one buffer and its LF starts the next. One
 *       UTF-8 byte order mark at the very start of the stream is skipped (also when split across buffers).
 *   <li>{@code :} lines are comments (keep-alives) and are skipped; {@code data:} lines of one event are
 *       joined with {@code "\n"}; {@code event:}, {@code id:} and {@code retry:} are kept; other fields
 *       are ignored.
 *   <li>Bytes are kept as bytes until an event is complete, so a UTF-8 character split across buffers is
 *       decoded correctly; the data is handed to the listener as a byte range (no String per line).
 *   <li>A line longer than {@code maxLineLength} bytes, or the joined data of one event longer than
 *       {@code maxEventBytes}, fails with a {@link StreamException} ({@code LIMIT_EXCEEDED}) naming the builder setting:
 *       memory stays bounded (at most one line buffer plus one event buffer) whatever the server sends.
 * </ul>
 *
 * <p>Not thread-safe: one scanner per stream, fed serially.
 */
public final class SseScanner {

  /** Receives complete events. */
  public interface Listener {
    /**
     * One event. {@code data} is only valid during the call (the scanner reuses its buffer).
     *
     * @param type the {@code event:} field, or {@code null} for the default type ("message")
     * @param data the joined {@code data:} lines, as UTF-8 bytes
     * @param length the number of valid bytes in {@code data}
     */
    void onEvent(@Nullable String type, byte[] data, int length);
  }

  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ID = "id".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RETRY = "retry".getBytes(StandardCharsets.US_ASCII);

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LFS = 0x0101010101010101L * '\n';
  private static final long CRS = 0x0101010101010101L * '\r';

  private final int maxLineLength;
  private final int maxEventBytes;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean skipLf;
  private byte[] data = new byte[256];
  private int dataLength;
  private boolean hasData;
  private @Nullable String eventType;
  private @Nullable String lastEventId;
  private long retryMillis = -1;
  private boolean firstLine = true;

  /**
   * Creates a scanner whose event limit equals its line limit.
   *
   * @param maxLineLength the longest line (and event data) accepted, in bytes
   */
  public SseScanner(int maxLineLength) {
    this(maxLineLength, maxLineLength);
  }

  /**
   * Creates a scanner.
   *
   * @param maxLineLength the longest line accepted, in bytes
   * @param maxEventBytes the longest joined data of one event accepted, in bytes
   */
  public SseScanner(int maxLineLength, int maxEventBytes) {
    if (maxLineLength < 1) {
      throw new IllegalArgumentException("maxLineLength must be >= 1, was " + maxLineLength);
    }
    if (maxEventBytes < 1) {
      throw new IllegalArgumentException("maxEventBytes must be >= 1, was " + maxEventBytes);
    }
    this.maxLineLength = maxLineLength;
    this.maxEventBytes = maxEventBytes;
  }

  /**
   * Scans the remaining bytes of {@code buffer} (its position moves to its limit).
   *
   * @param buffer the next network bytes
   * @param listener receives the events completed by these bytes
   * @throws StreamException ({@code LIMIT_EXCEEDED}) if a line or an event is too long
   */
  public void feed(ByteBuffer buffer, Listener listener) {
    if (buffer.hasArray()) {
      byte[] a = buffer.array();
      int off = buffer.arrayOffset() + buffer.position();
      int end = buffer.arrayOffset() + buffer.limit();
      buffer.position(buffer.limit());
      scan(a, off, end, listener);
      return;
    }
    // read-only or direct buffers (java.net.http hands out read-only ones): read in place with absolute
    // gets, no copy of the network buffer
    int i = buffer.position();
    int to = buffer.limit();
    buffer.position(to);
    while (i < to) {
      if (skipLf) {
        skipLf = false;
        if (buffer.get(i) == '\n') {
          i++;
          continue;
        }
      }
      int j = lineEnd(buffer, i, to);
      int n = j - i;
      if (j < to && lineLength == 0 && !firstLine && dataLine(buffer, i, n)) {
        skipLf = buffer.get(j) == '\r';
        i = j + 1; // a whole "data:" line in this buffer: its value went straight to the event buffer
        continue;
      }
      if (n > 0) {
        reserve(n);
        buffer.get(i, line, lineLength, n);
        lineLength += n;
      }
      if (j == to) {
        return; // line continues in the next buffer
      }
      skipLf = buffer.get(j) == '\r';
      i = j + 1;
      endOfLine(listener);
    }
  }

  /**
   * If {@code buffer[from, from + n)} is a {@code data:} line, appends its value to the event's data (one
   * copy, where the general path copies the line first) and returns {@code true}; otherwise reads nothing.
   */
  private boolean dataLine(ByteBuffer buffer, int from, int n) {
    if (n < 5 || buffer.get(from) != 'd' || buffer.get(from + 1) != 'a' || buffer.get(from + 2) != 't'
        || buffer.get(from + 3) != 'a' || buffer.get(from + 4) != ':') {
      return false;
    }
    if (n > maxLineLength) {
      throw tooLong("line", "maxLineLength", maxLineLength);
    }
    int valueStart = n > 5 && buffer.get(from + 5) == ' ' ? from + 6 : from + 5;
    int valueLength = from + n - valueStart;
    reserveData(valueLength);
    if (hasData) {
      data[dataLength++] = '\n';
    }
    buffer.get(valueStart, data, dataLength, valueLength);
    dataLength += valueLength;
    hasData = true;
    return true;
  }

  /** Makes room for a {@code data:} value of {@code valueLength} bytes, within the event limit. */
  private void reserveData(int valueLength) {
    int needed = dataLength + (hasData ? 1 : 0) + valueLength;
    if (needed > maxEventBytes) {
      throw tooLong("event", "maxEventBytes", maxEventBytes);
    }
    if (needed > data.length) {
      data = Arrays.copyOf(data, grown(data.length, needed, maxEventBytes));
    }
  }

  /**
   * Scans {@code bytes[from, to)}.
   *
   * @param bytes the bytes
   * @param from first index
   * @param to end index (exclusive)
   * @param listener receives the events completed by these bytes
   */
  public void scan(byte[] bytes, int from, int to, Listener listener) {
    int i = from;
    while (i < to) {
      if (skipLf) {
        skipLf = false;
        if (bytes[i] == '\n') {
          i++;
          continue;
        }
      }
      // find the end of the line within this buffer
      int j = lineEnd(bytes, i, to);
      if (j == to) {
        append(bytes, i, j - i);
        return; // line continues in the next buffer
      }
      skipLf = bytes[j] == '\r';
      if (lineLength == 0) { // the whole line is in these bytes: read it in place, no copy to the line buffer
        if (j - i > maxLineLength) {
          throw tooLong("line", "maxLineLength", maxLineLength);
        }
        line(listener, bytes, i, j - i);
      } else {
        append(bytes, i, j - i);
        endOfLine(listener);
      }
      i = j + 1;
    }
  }

  /**
   * The body ended. Per the SSE standard an event not terminated by a blank line is discarded.
   *
   * @return {@code true} if incomplete data was discarded
   */
  public boolean end() {
    boolean pending = lineLength > 0 || hasData;
    lineLength = 0;
    resetEvent();
    return pending;
  }

  /**
   * The last {@code id:} seen (for a future resume with {@code Last-Event-ID}).
   *
   * @return the id, or {@code null}
   */
  public @Nullable String lastEventId() {
    return lastEventId;
  }

  /**
   * The last valid {@code retry:} value in milliseconds, or -1.
   *
   * @return the reconnection time the server asked for
   */
  public long retryMillis() {
    return retryMillis;
  }

  /** The position of the first '\n' or '\r' in {@code bytes[from, to)}, or {@code to}: eight bytes at a time. */
  private static int lineEnd(byte[] bytes, int from, int to) {
    int j = from;
    while (j + 8 <= to) {
      long x = (long) LONGS.get(bytes, j);
      if ((JsonBytes.hasZero(x ^ LFS) | JsonBytes.hasZero(x ^ CRS)) != 0) {
        break;
      }
      j += 8;
    }
    while (j < to && bytes[j] != '\n' && bytes[j] != '\r') {
      j++;
    }
    return j;
  }

  /**
   * {@link #lineEnd(byte[], int, int)} over a buffer with absolute gets (read-only and direct buffers have
   * no array). The buffer's byte order does not matter: a word only says whether it holds a line end,
   * the byte loop then finds where.
   */
  private static int lineEnd(ByteBuffer bytes, int from, int to) {
    int j = from;
    while (j + 8 <= to) {
      long x = bytes.getLong(j);
      if ((JsonBytes.hasZero(x ^ LFS) | JsonBytes.hasZero(x ^ CRS)) != 0) {
        break;
      }
      j += 8;
    }
    while (j < to && bytes.get(j) != '\n' && bytes.get(j) != '\r') {
      j++;
    }
    return j;
  }

  private void append(byte[] bytes, int from, int n) {
    if (n == 0) {
      return;
    }
    reserve(n);
    System.arraycopy(bytes, from, line, lineLength, n);
    lineLength += n;
  }

  /** Makes room for {@code n} more bytes of the current line, within the line limit. */
  private void reserve(int n) {
    if (lineLength + n > maxLineLength) {
      throw tooLong("line", "maxLineLength", maxLineLength);
    }
    if (lineLength + n > line.length) {
      line = Arrays.copyOf(line, grown(line.length, lineLength + n, maxLineLength));
    }
  }

  /**
   * A buffer's next size: half as large again (not double: a stream keeps both buffers for its life, and
   * chunks of one answer vary little in size), at least {@code needed}, at most {@code cap}.
   */
  private static int grown(int length, int needed, int cap) {
    return Math.min(cap, Math.max(length + (length >> 1), needed));
  }

  private static StreamException tooLong(String what, String setting, int limit) {
    return new StreamException(ErrorKind.LIMIT_EXCEEDED, "The server sent an SSE "
            + what
            + " longer than "
            + setting
            + " ("
            + limit
            + " bytes): the stream is malformed or not an event stream; raise "
            + "GroqProvider.Builder."
            + setting
            + "(int) if such "
            + what
            + "s are legitimate",
        StreamException.NO_STATUS,
        null,
        null);
  }

  private void endOfLine(Listener listener) {
    int n = lineLength;
    lineLength = 0;
    line(listener, line, 0, n);
  }

  /** One complete line, {@code l[off, off + n)}: the line buffer, or the caller's bytes when whole in them. */
  private void line(Listener listener, byte[] l, int off, int n) {
    if (firstLine) {
      firstLine = false;
      if (n >= 3 && l[off] == (byte) 0xEF && l[off + 1] == (byte) 0xBB && l[off + 2] == (byte) 0xBF) {
        off += 3; // one leading UTF-8 byte order mark is ignored, as the standard says
        n -= 3;
      }
    }
    if (n == 0) {
      dispatch(listener);
      return;
    }
    if (l[off] == ':') {
      return; // comment / keep-alive
    }
    int end = off + n;
    int colon = off;
    while (colon < end && l[colon] != ':') {
      colon++;
    }
    int valueStart = colon < end ? colon + 1 : end;
    if (valueStart < end && l[valueStart] == ' ') {
      valueStart++;
    }
    int valueLength = end - valueStart;
    int nameLength = colon - off;
    if (fieldIs(l, off, nameLength, DATA)) {
      reserveData(valueLength);
      if (hasData) {
        data[dataLength++] = '\n';
      }
      System.arraycopy(l, valueStart, data, dataLength, valueLength);
      dataLength += valueLength;
      hasData = true;
    } else if (fieldIs(l, off, nameLength, EVENT)) {
      eventType = new String(l, valueStart, valueLength, StandardCharsets.UTF_8);
    } else if (fieldIs(l, off, nameLength, ID)) {
      String id = new String(l, valueStart, valueLength, StandardCharsets.UTF_8);
      if (id.indexOf('\0') < 0) {
        lastEventId = id;
      }
    } else if (fieldIs(l, off, nameLength, RETRY)) {
      long v = 0;
      boolean digits = valueLength > 0 && valueLength < 18;
      for (int k = valueStart; k < end && digits; k++) {
        byte b = l[k];
        if (b < '0' || b > '9') {
          digits = false;
        } else {
          v = v * 10 + (b - '0');
        }
      }
      if (digits) {
        retryMillis = v;
      }
    }
    // unknown fields are ignored, as the standard says
  }

  private static boolean fieldIs(byte[] l, int off, int length, byte[] name) {
    if (length != name.length) {
      return false;
    }
    for (int k = 0; k < length; k++) {
      if (l[off + k] != name[k]) {
        return false;
      }
    }
    return true;
  }

  private void dispatch(Listener listener) {
    if (!hasData) {
      eventType = null;
      return;
    }
    String type = eventType;
    int n = dataLength;
    resetEvent();
    listener.onEvent(type, data, n);
  }

  private void resetEvent() {
    dataLength = 0;
    hasData = false;
    eventType = null;
  }
}
