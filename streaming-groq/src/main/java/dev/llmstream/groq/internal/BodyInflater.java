package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * Decodes a {@code Content-Encoding: gzip} or {@code deflate} response body as it streams, buffer by
 * buffer, with the JDK's {@link Inflater}: compressed bytes in, plain bytes out to a {@link Sink} in slices
 * of a fixed 16 KiB buffer, so memory stays bounded whatever the compression ratio (the SSE scanner's
 * limits then apply to the plain bytes). Hand-written because the JDK's {@code GZIPInputStream} is a
 * blocking {@code InputStream} and the body arrives as pushed buffers; the gzip member header (RFC 1952)
 * is parsed here, the deflate data by {@code Inflater}. {@code deflate} is zlib-wrapped (RFC 1950) as the
 * HTTP standard says, or raw deflate as some servers send it; concatenated gzip members are read in turn.
 *
 * <p>Not thread-safe: one per response, fed serially. {@link #close()} frees the native inflater.
 */
public final class BodyInflater implements AutoCloseable {

  /** Receives plain bytes; valid only during the call. */
  @FunctionalInterface
  public interface Sink {
    /**
     * Plain bytes.
     *
     * @param bytes the buffer
     * @param from the first byte
     * @param to the end (exclusive)
     */
    void accept(byte[] bytes, int from, int to);
  }

  private enum State { MAGIC, EXTRA_LENGTH, EXTRA, NAME, COMMENT, HEADER_CRC, DATA, TRAILER }

  private final boolean gzip;
  private final byte[] out = new byte[16 * 1024];
  private final byte[] head = new byte[10];
  private @Nullable Inflater inflater;
  private State state;
  private int flags;
  private int count;
  private int skip;

  private BodyInflater(boolean gzip) {
    this.gzip = gzip;
    this.state = gzip ? State.MAGIC : State.DATA;
  }

  /**
   * The inflater for a {@code Content-Encoding} header value.
   *
   * @param contentEncoding the header's value, or {@code null} when absent
   * @return an inflater, or {@code null} for no encoding ({@code identity})
   * @throws StreamException ({@link ErrorKind#PROTOCOL}) naming the encoding when it is not gzip or deflate
   */
  public static @Nullable BodyInflater forEncoding(@Nullable String contentEncoding) {
    String found = null;
    if (contentEncoding != null) {
      for (String part : contentEncoding.split(",")) {
        String e = part.trim().toLowerCase(Locale.ROOT);
        if (e.isEmpty() || e.equals("identity")) {
          continue;
        }
        if (found != null || !(e.equals("gzip") || e.equals("x-gzip") || e.equals("deflate"))) {
          throw new StreamException(
          ErrorKind.PROTOCOL,
              "The server sent the stream with Content-Encoding '" + ChunkDecoder.bounded(contentEncoding.strip())
                  + "', which this client does not decode (it decodes gzip and deflate, and never asks for"
                  + " compression); configure the server or proxy not to compress text/event-stream",
              StreamException.NO_STATUS,
              null,
              null);
        }
        found = e;
      }
    }
    return found == null ? null : new BodyInflater(!found.equals("deflate"));
  }

  /**
   * Decodes the remaining bytes of {@code in} (its position moves to its limit).
   *
   * @param in compressed bytes
   * @param sink receives the plain bytes
   * @throws StreamException ({@link ErrorKind#PROTOCOL}) if the bytes are not valid gzip/deflate data
   */
  public void inflate(ByteBuffer in, Sink sink) {
    while (in.hasRemaining()) {
      if (state != State.DATA) {
        header(in.get() & 0xFF);
        continue;
      }
      Inflater inf = inflater;
      if (inf == null) {
        if (!gzip && count < 2) {
          head[count++] = in.get(); // zlib or raw deflate: told by the first two bytes
          if (count == 2) {
            int cmf = head[0] & 0xFF;
            boolean zlib = (cmf & 0x0F) == 8 && ((cmf << 8) | (head[1] & 0xFF)) % 31 == 0;
            inf = new Inflater(!zlib);
            inf.setInput(head, 0, 2);
            inflater = inf;
            drain(inf, sink);
          }
          continue;
        }
        inf = new Inflater(true);
        inflater = inf;
      }
      inf.setInput(in);
      drain(inf, sink);
      if (inf.finished()) {
        int rest = inf.getRemaining();
        in.position(in.limit() - rest); // what the inflater did not use is the trailer (or ignored)
        if (!gzip) {
          in.position(in.limit());
          return;
        }
        inf.reset();
        state = State.TRAILER;
        count = 0;
      }
    }
  }

  private void drain(Inflater inf, Sink sink) {
    try {
      int n;
      while ((n = inf.inflate(out)) > 0) {
        sink.accept(out, 0, n);
      }
    } catch (DataFormatException e) {
      throw corrupt(e.getMessage());
    }
    if (inf.needsDictionary()) {
      throw corrupt("a preset dictionary is required");
    }
  }

  /** One byte of a gzip member header or trailer. */
  private void header(int b) {
    switch (state) {
      case MAGIC:
        head[count++] = (byte) b;
        if (count == 10) {
          if ((head[0] & 0xFF) != 0x1F || (head[1] & 0xFF) != 0x8B || head[2] != 8) {
            throw corrupt("not a gzip member header");
          }
          flags = head[3] & 0xFF;
          count = 0;
          next(State.EXTRA_LENGTH);
        }
        return;
      case EXTRA_LENGTH:
        skip |= b << (8 * count++);
        if (count == 2) {
          count = 0;
          next(skip > 0 ? State.EXTRA : State.NAME);
        }
        return;
      case EXTRA:
        if (--skip == 0) {
          next(State.NAME);
        }
        return;
      case NAME:
      case COMMENT:
        if (b == 0) {
          next(state == State.NAME ? State.COMMENT : State.HEADER_CRC);
        }
        return;
      case HEADER_CRC:
        if (++count == 2) {
          count = 0;
          state = State.DATA;
        }
        return;
      case TRAILER:
        if (++count == 8) { // CRC-32 and size; a next member may follow
          count = 0;
          state = State.MAGIC;
        }
        return;
      default:
        throw new IllegalStateException(state.name());
    }
  }

  /** Moves to {@code s}, or past it when the header's flags say the field is absent. */
  private void next(State s) {
    State t = s;
    if (t == State.EXTRA_LENGTH && (flags & 4) == 0) {
      t = State.NAME;
    }
    if (t == State.NAME && (flags & 8) == 0) {
      t = State.COMMENT;
    }
    if (t == State.COMMENT && (flags & 16) == 0) {
      t = State.HEADER_CRC;
    }
    if (t == State.HEADER_CRC && (flags & 2) == 0) {
      t = State.DATA;
    }
    state = t;
    skip = t == State.EXTRA_LENGTH ? 0 : skip;
  }

  private StreamException corrupt(@Nullable String detail) {
    return new StreamException(
        ErrorKind.PROTOCOL,
        "The server's " + (gzip ? "gzip" : "deflate") + "-encoded stream is corrupt ("
            + (detail == null ? "invalid data" : ChunkDecoder.bounded(detail)) + ")",
        StreamException.NO_STATUS,
        null,
        null);
  }

  /** Frees the native inflater. Idempotent. */
  @Override
  public void close() {
    Inflater inf = inflater;
    inflater = null;
    if (inf != null) {
      inf.end();
    }
  }
}
