package dev.llmstream.groq.internal;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one HTTP exchange's body becomes: SSE bytes (inflated if compressed) scanned into events and decoded
 * into {@link StreamEvent}s collected in {@link #out}; or, for an error status or a body that is not an event
 * stream, the bytes collected (bounded) and mapped to a typed error, or delivered as one whole answer. Pure
 * with respect to the stream: it calls nobody, {@link GroqStreamSource}'s loop emits what it collected. Owned
 * by that loop; not thread-safe.
 */
final class BodyDecoding {
  private static final Logger LOG = LoggerFactory.getLogger(GroqStreamSource.class);
  private static final int MAX_ERROR_BODY = 64 * 1024;

  /** The events decoded by the last call; the loop emits and clears them. */
  final ArrayList<StreamEvent> out = new ArrayList<>();
  private final GroqConfig config;
  private final String model;
  private final SseScanner.Listener listener = this::onSseEvent;
  private @Nullable Runnable onFirstToken;
  private final BodyInflater.Sink scanPlain = (bytes, from, to) -> scanner().scan(bytes, from, to, listener);
  private @Nullable SseScanner scanner;
  private @Nullable BodyInflater inflater;
  private @Nullable ChunkDecoder decoder;
  private BoundedBody errorBody = new BoundedBody(MAX_ERROR_BODY);
  private boolean notEventStream;

  BodyDecoding(GroqConfig config, String model) {
    this.config = config;
    this.model = model;
  }

  /** A new exchange starts. */
  void reset() {
    scanner = new SseScanner(config.maxLineLength(), config.limits().maxEventBytes());
    decoder = null;
    inflater = null;
    notEventStream = false;
    errorBody = new BoundedBody(MAX_ERROR_BODY);
  }

  /**
   * A 2xx response arrived.
   *
   * @return {@code true} for an event stream; {@code false} for a body to collect whole (maybe one answer)
   * @throws StreamException for a content encoding that cannot be read (not retried, not recovered)
   */
  boolean begin(int status, HttpHeaders headers, @Nullable String requestId) {
    inflater = BodyInflater.forEncoding(headers.firstValue("content-encoding").orElse(null));
    GroqConfig.Limits limits = config.limits();
    decoder = new ChunkDecoder(
        config.mapper(), status, requestId, limits.maxAnswerChars(), limits.maxToolArgumentChars());
    String type = headers.firstValue("content-type").orElse("text/event-stream");
    if (!type.trim().toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
      notEventStream = true;
      // a 2xx JSON body may be a whole answer (a server that did not stream): up to one event's size
      errorBody = new BoundedBody(Math.max(MAX_ERROR_BODY, limits.maxEventBytes()));
      return false;
    }
    return true;
  }

  @Nullable ChunkDecoder decoder() {
    return decoder;
  }

  ChunkDecoder requireDecoder() {
    ChunkDecoder d = decoder;
    if (d == null) {
      throw new IllegalStateException("no decoder");
    }
    return d;
  }

  /**
   * Decodes body buffers into {@link #out} (cleared first), up to the answer's end.
   *
   * @return the failure that stopped decoding (the events before it are in {@link #out}), or {@code null}
   */
  @Nullable StreamException feed(List<ByteBuffer> buffers) {
    ChunkDecoder d = requireDecoder();
    SseScanner sc = scanner();
    out.clear();
    try {
      for (ByteBuffer b : buffers) {
        BodyInflater inf = inflater;
        if (inf != null) {
          inf.inflate(b, scanPlain);
        } else {
          sc.feed(b, listener);
        }
        if (d.isDone()) {
          break;
        }
      }
      return null;
    } catch (StreamException e) {
      return e;
    }
  }

  /**
   * The body ended: what its end completes into {@link #out} (cleared first).
   *
   * @return the failure (a cut before the finish, a malformed end), or {@code null}
   */
  @Nullable StreamException end() {
    ChunkDecoder d = requireDecoder();
    out.clear();
    try {
      scanner().end();
      d.endOfStream(out);
      return null;
    } catch (StreamException e) {
      return e;
    }
  }

  /**
   * Collects a body that is read whole.
   *
   * @return {@code true} when it is complete (or as long as it may be)
   */
  boolean collect(List<ByteBuffer> buffers) {
    return errorBody.append(buffers);
  }

  boolean notEventStream() {
    return notEventStream;
  }

  /**
   * A 2xx body that is one complete {@code chat.completion} (the server ignored {@code stream: true}), as a
   * one-chunk answer in {@link #out}.
   *
   * @param headers the response headers (for the log line)
   * @return {@code null} if it is not one; else the outcome: its failure (a whole answer over a limit), or
   *     none
   */
  @Nullable WholeAnswer wholeAnswer(HttpHeaders headers) {
    ChunkDecoder d = decoder;
    out.clear();
    StreamException failure = null;
    try {
      if (d == null || !NonStreamingAnswer.decode(
          config.mapper(), inflater, errorBody.bytes(), errorBody.length(), config.limits().maxEventBytes(), d, out)) {
        return null;
      }
    } catch (StreamException e) {
      failure = e;
    }
    LOG.info(
        "The server at {} did not stream (it answered with one {} object, ignoring stream: true);"
            + " the answer is delivered in one piece",
        config.endpoint().getHost(), headers.firstValue("content-type").orElse("JSON"));
    return new WholeAnswer(failure);
  }

  /** The outcome of a whole answer: its failure, or {@code null}. */
  record WholeAnswer(@Nullable StreamException failure) {}

  /** The typed error of a collected body: an HTTP error status, or a 2xx body that is not an event stream. */
  StreamException error(int status, HttpHeaders headers) {
    return notEventStream
        ? HttpErrors.notEventStream(config.mapper(), status, headers, errorBody.bytes(), errorBody.length())
        : HttpErrors.forStatus(config.mapper(), status, headers, errorBody.bytes(), errorBody.length(), model);
  }

  /** The exchange is over: the inflater is closed, the decoder decodes nothing more (keeps its request id). */
  void close() {
    BodyInflater inf = inflater;
    inflater = null;
    if (inf != null) {
      inf.close();
    }
    ChunkDecoder d = decoder;
    if (d != null) {
      d.close();
    }
  }

  private void onSseEvent(@Nullable String type, byte[] data, int length) {
    ChunkDecoder d = requireDecoder();
    d.onEvent(type, data, length, out);
    Runnable first = onFirstToken;
    if (first != null && d.sawToken()) {
      onFirstToken = null;
      first.run();
    }
  }

  /**
   * Runs {@code action} once, inside the next {@link #feed}, right after the event that holds the answer's
   * first token was decoded into {@link #out}, before the rest of that buffer is decoded: the first token
   * must not wait for chunks that arrived behind it in the same read (a finish with its usage, say, which
   * the Jackson parser reads, is many times slower than the fast path). {@code action} may use and clear
   * {@link #out}. Cleared when it ran; {@code null} to cancel.
   *
   * @param action what to do with the first token's events
   */
  void onFirstToken(@Nullable Runnable action) {
    this.onFirstToken = action;
  }

  /**
   * The request id for messages: the one the chunks carry, else the response's header, else none.
   *
   * @param response the attempt's response, if it arrived
   * @return the id, or {@code null}
   */
  @Nullable String requestId(HttpResponse.@Nullable ResponseInfo response) {
    ChunkDecoder d = decoder;
    if (d != null && d.requestId() != null) {
      return d.requestId();
    }
    return response == null ? null : Headers.requestId(response.headers());
  }

  private SseScanner scanner() {
    SseScanner s = scanner;
    if (s == null) {
      throw new IllegalStateException("no scanner");
    }
    return s;
  }
}
