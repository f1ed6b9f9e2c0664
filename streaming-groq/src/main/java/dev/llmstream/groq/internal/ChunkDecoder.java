package dev.llmstream.groq.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.spi.StreamEmitter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns the SSE events of one chat-completion stream into {@link StreamEvent}s. Pure: no I/O, no threads.
 *
 * <p>Two seams: a chunk parser reads each event's JSON into a {@link Chunk} ({@link FastChunkParser} for
 * the dominant {@code delta.content} shape, else {@link JacksonChunkParser}, one Jackson streaming parser
 * per stream, created when a chunk needs it and dropped when the fast path takes over, so a stream of
 * {@code delta.content} chunks does not hold its buffers), and {@link AnswerRules} applies it to the answer (emit order,
 * when the answer is done, limits, how failures read; see there). Per-stream state: the latest usage, the
 * finish reason, the request id.
 *
 * <p>Not thread-safe: one decoder per attempt, fed serially. {@link #close()} when the attempt ends
 * releases the parser's buffers (to the mapper's buffer pool, if it has one; the provider's mapper from
 * {@link JsonSupport} has none).
 */
public final class ChunkDecoder implements AutoCloseable {
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final JacksonChunkParser parser;
  private final @Nullable FastChunkParser fast;
  private final AnswerRules rules;
  private final Chunk chunk = new Chunk();
  private boolean closed;

  /**
   * Creates a decoder.
   *
   * @param mapper the shared mapper (thread-safe)
   * @param httpStatus the HTTP status of the response, put in protocol errors
   * @param requestId the request id from the response headers, or {@code null}
   */
  public ChunkDecoder(ObjectMapper mapper, int httpStatus, @Nullable String requestId) {
    this(mapper, httpStatus, requestId, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /**
   * Creates a decoder with limits on what one answer may hold. A chunk that would take the answer over a
   * limit is not delivered: {@link #onEvent} throws a {@link StreamException} ({@code LIMIT_EXCEEDED}) naming the setting,
   * and the events decoded before that chunk stay the partial answer.
   *
   * @param mapper the shared mapper (thread-safe)
   * @param httpStatus the HTTP status of the response, put in protocol errors
   * @param requestId the request id from the response headers, or {@code null}
   * @param maxAnswerChars the most text plus reasoning characters of one answer
   * @param maxToolArgumentChars the most tool-call characters (arguments, ids and names of all tool
   *     calls together) of one answer
   */
  public ChunkDecoder(
      ObjectMapper mapper,
      int httpStatus,
      @Nullable String requestId,
      int maxAnswerChars,
      int maxToolArgumentChars) {
    this(mapper, httpStatus, requestId, maxAnswerChars, maxToolArgumentChars, true);
  }

  /**
   * Creates a decoder, with or without the fast path (the differential test and the parse benchmark
   * compare the two; both decode every stream to the same events and failures).
   *
   * @param mapper the shared mapper (thread-safe)
   * @param httpStatus the HTTP status of the response, put in protocol errors
   * @param requestId the request id from the response headers, or {@code null}
   * @param maxAnswerChars the most text plus reasoning characters of one answer
   * @param maxToolArgumentChars the most tool-call characters of one answer
   * @param fastPath whether the dominant chunk shape is read by {@link FastChunkParser} (else every
   *     chunk goes through Jackson)
   */
  public ChunkDecoder(
      ObjectMapper mapper,
      int httpStatus,
      @Nullable String requestId,
      int maxAnswerChars,
      int maxToolArgumentChars,
      boolean fastPath) {
    this.parser = new JacksonChunkParser(mapper);
    this.fast = fastPath ? new FastChunkParser() : null;
    this.rules = new AnswerRules(httpStatus, requestId, maxAnswerChars, maxToolArgumentChars);
  }

  /**
   * Decodes one SSE event, appending its events to {@code out}.
   *
   * @param type the SSE event type, or {@code null}
   * @param data the event data bytes
   * @param length valid bytes in {@code data}
   * @param out receives the events
   * @throws StreamException ({@code PROTOCOL}) if a chunk is not valid JSON
   * @throws StreamException ({@code UPSTREAM}) if the event reports an error
   * @throws StreamException ({@code LIMIT_EXCEEDED}) if the chunk would take the answer over a limit
   */
  public void onEvent(@Nullable String type, byte[] data, int length, List<StreamEvent> out) {
    if (rules.isDone() || closed) {
      return;
    }
    if (type != null && type.equals("error")) {
      throw rules.upstream(parser.errorEvent(data, length));
    }
    if (type != null && !type.isEmpty() && !type.equals("message")) {
      return; // an event type this client does not know: ignored, as an EventSource would
    }
    int start = 0;
    while (start < length && JacksonChunkParser.isSpace(data[start])) {
      start++;
    }
    if (start == length) {
      return; // empty data
    }
    if (isDone(data, start, length)) {
      rules.doneMarker(out);
      return;
    }
    Chunk c = chunk;
    c.clear();
    FastChunkParser f = fast;
    if (f != null) {
      if (f.parse(data, start, length, c, rules.model() == null)) {
        if (rules.sawToken()) {
          // the common shape took over: no Jackson parser kept for the stream's life. Not on the first
          // token's path (a chunk before it, the role chunk say, may have needed Jackson): closing the
          // parser merges its symbols into the shared table, ~20 µs of first-token latency measured
          parser.release();
        }
        rules.accept(c, out);
        return;
      }
      c.clear(); // not the common shape: Jackson reads it from scratch
    }
    try {
      parser.parse(data, start, length, c, rules.model() == null, rules.requestId() == null);
    } catch (JacksonChunkParser.MalformedChunk e) {
      throw rules.malformed(c, e.getMessage(), e.getCause());
    }
    rules.accept(c, out);
  }

  /**
   * The body ended: a held finish completes the answer; otherwise the answer was cut.
   *
   * @param out receives the usage and finish
   * @throws StreamException ({@code CONNECTION}) if the answer had not finished
   */
  public void endOfStream(List<StreamEvent> out) {
    rules.endOfStream(out);
  }

  /**
   * The idle timer fired while a finish was held for a trailing usage chunk: finish without it.
   *
   * @param out receives the usage and finish
   */
  public void finishNow(List<StreamEvent> out) {
    rules.finishNow(out);
  }

  /**
   * Whether the answer is complete (the caller completes the stream).
   *
   * @return {@code true} once done
   */
  public boolean isDone() {
    return rules.isDone();
  }

  /**
   * Whether a finish reason was seen and is held for a trailing usage chunk.
   *
   * @return {@code true} if the answer's content is complete
   */
  public boolean isFinishPending() {
    return rules.isFinishPending();
  }

  /**
   * Whether any text, reasoning or tool-call delta was decoded.
   *
   * @return {@code true} after the first token
   */
  public boolean sawToken() {
    return rules.sawToken();
  }

  /**
   * The request id from the headers or {@code x_groq.id}.
   *
   * @return the id, or {@code null}
   */
  public @Nullable String requestId() {
    return rules.requestId();
  }

  /**
   * The model named by the chunks.
   *
   * @return the model, or {@code null}
   */
  public @Nullable String model() {
    return rules.model();
  }

  /**
   * Tells {@code emitter} the model the chunks named, if any (at the first token, before it goes out).
   *
   * @param emitter the stream's emitter
   */
  public void reportModel(StreamEmitter emitter) {
    String m = rules.model();
    if (m != null) {
      emitter.responseModel(m);
    }
  }

  /** Releases the parser's buffers; the decoder decodes nothing afterwards. Idempotent. */
  @Override
  public void close() {
    closed = true;
    parser.close();
  }

  /**
   * Whether the decoder holds a Jackson parser now (for tests of what a stream retains).
   *
   * @return {@code true} while the last chunk needed Jackson
   */
  boolean holdsJacksonParser() {
    return parser.holdsParser();
  }

  /**
   * The first 500 characters of {@code s}, with an ellipsis if it was longer: what error messages quote.
   *
   * @param s the text
   * @return the bounded text
   */
  static String bounded(String s) {
    return AnswerRules.bounded(s);
  }

  private static boolean isDone(byte[] data, int start, int length) {
    int end = length;
    while (end > start && JacksonChunkParser.isSpace(data[end - 1])) {
      end--;
    }
    if (end - start != DONE.length) {
      return false;
    }
    for (int k = 0; k < DONE.length; k++) {
      if (data[start + k] != DONE[k]) {
        return false;
      }
    }
    return true;
  }
}
