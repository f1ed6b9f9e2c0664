package dev.llmstream.groq.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns the SSE events of one chat-completion stream into {@link StreamEvent}s. Pure: no I/O, no threads.
 *
 * <p>Uses one Jackson streaming parser per decoder (no tree, no parser per chunk): it reads the events'
 * data as a sequence of root-level objects from an input that hands it one event at a time, so a chunk
 * costs no more than its own strings and events. (Jackson's non-blocking parser would do the same with
 * less ceremony but parses about a quarter slower.) Only the rare error object is read as a tree.
 * Per-stream state: the latest usage, the finish reason, the request id.
 *
 * <p><b>Emit order.</b> Deltas as they come; then, once, {@link StreamEvent.UsageUpdate} with the latest
 * usage seen (Groq repeats the same usage in {@code x_groq.usage}, top-level {@code usage} and sometimes
 * a trailing chunk: it is reported once, never summed) immediately followed by {@link StreamEvent.Finish}.
 *
 * <p><b>When the answer is done.</b> On the chunk with {@code finish_reason}: if usage is known by then
 * (Groq puts it in that chunk) the answer is done at once, without waiting for {@code [DONE]} or for the
 * connection to close. Otherwise (OpenAI-style servers send usage in a trailing {@code choices: []}
 * chunk) the finish is held until the next chunk carrying usage, {@code [DONE]}, the end of the body, or
 * {@link #finishNow()} (the caller's idle timer). {@code [DONE]} without any {@code finish_reason} ends
 * the answer with {@link FinishReason#STOP} and no raw reason.
 *
 * <p>Reasoning is {@code delta.reasoning} (Groq); DeepSeek's {@code reasoning_content} is not read, as
 * the recorded expectations define. Only choice 0 is read ({@code n > 1} is not supported). Unknown fields are ignored.
 *
 * <p>Not thread-safe: one decoder per attempt, fed serially. {@link #close()} when the attempt ends
 * releases the parser's buffers (to the mapper's buffer pool, if it has one; the provider's mapper from
 * {@link JsonSupport} has none).
 */
public final class ChunkDecoder implements AutoCloseable {
  private static final int EXCERPT = 500;
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final JsonFactory factory;
  private final ObjectMapper mapper;
  private final int httpStatus;
  private final int maxAnswerChars;
  private final int maxToolArgumentChars;
  private long answerChars;
  private long toolChars;
  private @Nullable String requestId;
  private @Nullable String model;
  private @Nullable Usage usage;
  private @Nullable String rawFinish;
  private boolean finishPending;
  private boolean done;
  private boolean closed;
  private boolean sawToken;
  private final List<StreamEvent> chunk = new ArrayList<>();
  private final EventInput input = new EventInput();
  private JsonParser parser;
  private long fed;

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
    this.mapper = mapper;
    this.factory = mapper.getFactory();
    this.httpStatus = httpStatus;
    this.requestId = requestId;
    this.maxAnswerChars = maxAnswerChars;
    this.maxToolArgumentChars = maxToolArgumentChars;
    this.parser = newParser();
  }

  private JsonParser newParser() {
    try {
      return factory.createParser(input);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // not thrown: nothing is read before nextToken()
    }
  }

  /**
   * The parser's input: the current event's bytes, then end of input. The parser asks for more only
   * when it needs bytes for the next token, so it never reads past the event it is given: a complete
   * object leaves it waiting at the root level for the next event; an incomplete one meets the end of
   * input and fails.
   */
  private static final class EventInput extends java.io.InputStream {
    private static final byte[] NONE = new byte[0];
    private byte[] bytes = NONE;
    private int position;
    private int end;

    void set(byte[] data, int from, int to) {
      bytes = data;
      position = from;
      end = to;
    }

    void clear() {
      bytes = NONE;
      position = 0;
      end = 0;
    }

    @Override
    public int read() {
      return position < end ? bytes[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (position >= end) {
        return -1;
      }
      int n = Math.min(len, end - position);
      System.arraycopy(bytes, position, b, off, n);
      position += n;
      return n;
    }

    @Override
    public int available() {
      return end - position;
    }
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
    if (done || closed) {
      return;
    }
    if (type != null && type.equals("error")) {
      throw upstreamError(data, length);
    }
    if (type != null && !type.isEmpty() && !type.equals("message")) {
      return; // an event type this client does not know: ignored, as an EventSource would
    }
    int start = 0;
    while (start < length && isSpace(data[start])) {
      start++;
    }
    if (start == length) {
      return; // empty data
    }
    if (isDone(data, start, length)) {
      completeHere(out);
      return;
    }
    chunk.clear();
    boolean finishedHere = false;
    boolean usageHere = false;
    boolean clean = false;
    JsonParser p = parser;
    try {
      input.set(data, start, length);
      fed += length - start;
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw protocol("a chunk is not a JSON object: " + excerpt(data, length), null);
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "choices":
            if (value == JsonToken.START_ARRAY) {
              while (p.nextToken() == JsonToken.START_OBJECT) {
                String fin = parseChoice(p);
                if (fin != null) {
                  rawFinish = fin;
                  finishedHere = true;
                }
              }
            } else {
              p.skipChildren();
            }
            break;
          case "x_groq":
            if (value == JsonToken.START_OBJECT) {
              usageHere |= parseXGroq(p, data, start, length);
            } else {
              p.skipChildren();
            }
            break;
          case "usage":
            if (value == JsonToken.START_OBJECT) {
              usage = parseUsage(p);
              usageHere = true;
            } else {
              p.skipChildren();
            }
            break;
          case "model":
            if (value == JsonToken.VALUE_STRING && model == null) {
              model = p.getText();
            }
            break;
          case "error":
            if (value == JsonToken.START_OBJECT || value == JsonToken.VALUE_STRING) {
              throw upstreamFromNode(errorNode(data, start, length, false));
            }
            p.skipChildren();
            break;
          default:
            p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw protocol("a chunk is not valid JSON (it ends before its object is closed): "
            + excerpt(data, length), null);
      }
      // after the object only whitespace may follow (the parser skips it before the next event)
      long unread = fed - p.currentLocation().getByteOffset();
      for (long k = length - unread; k < length; k++) {
        if (!isSpace(data[(int) k])) {
          throw protocol("a chunk is not a single JSON object: " + excerpt(data, length), null);
        }
      }
      clean = true;
    } catch (IOException e) {
      throw protocol("a chunk is not valid JSON ("
              + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage())
              + "): " + excerpt(data, length), e);
    } finally {
      input.clear(); // the event's bytes are the caller's
      if (!clean) {
        resetParser(); // the parser stopped inside a value: the next event starts on a fresh one
      }
    }
    checkLimits();
    out.addAll(chunk);
    if (finishedHere) {
      if (usage != null) {
        completeHere(out);
      } else {
        finishPending = true;
      }
    } else if (finishPending && usageHere) {
      completeHere(out);
    }
  }

  /** Counts the chunk's characters against the limits before any of it is delivered. */
  private void checkLimits() {
    long text = 0;
    long tools = 0;
    for (StreamEvent e : chunk) {
      if (e instanceof StreamEvent.TextDelta t) {
        text += t.text().length();
      } else if (e instanceof StreamEvent.ReasoningDelta r) {
        text += r.text().length();
      } else if (e instanceof StreamEvent.ToolCallDelta d) {
        tools += d.arguments().length()
            + (d.id() == null ? 0 : d.id().length())
            + (d.name() == null ? 0 : d.name().length());
      }
    }
    if (answerChars + text > maxAnswerChars) {
      throw limit("text and reasoning", "maxAnswerChars", maxAnswerChars);
    }
    if (toolChars + tools > maxToolArgumentChars) {
      throw limit("tool-call arguments", "maxToolArgumentChars", maxToolArgumentChars);
    }
    answerChars += text;
    toolChars += tools;
  }

  private StreamException limit(String what, String setting, int max) {
    chunk.clear();
    return new StreamException(ErrorKind.LIMIT_EXCEEDED, "The answer's "
            + what
            + " exceed "
            + setting
            + " ("
            + max
            + " characters); the answer so far is kept as the partial answer. Raise "
            + "GroqProvider.Builder."
            + setting
            + "(int) if such answers are legitimate",
        httpStatus,
        requestId,
        null);
  }

  /** The body ended: a held finish completes the answer; otherwise the answer was cut. */
  public void endOfStream(List<StreamEvent> out) {
    if (done) {
      return;
    }
    if (finishPending) {
      completeHere(out);
      return;
    }
    throw new dev.llmstream.core.StreamException(dev.llmstream.core.ErrorKind.CONNECTION, "The server closed the stream before the answer finished (no finish_reason and no [DONE])",
        httpStatus,
        requestId,
        null);
  }

  /** The idle timer fired while a finish was held for a trailing usage chunk: finish without it. */
  public void finishNow(List<StreamEvent> out) {
    if (!done && finishPending) {
      completeHere(out);
    }
  }

  /**
   * Whether the answer is complete (the caller completes the stream).
   *
   * @return {@code true} once done
   */
  public boolean isDone() {
    return done;
  }

  /**
   * Whether a finish reason was seen and is held for a trailing usage chunk.
   *
   * @return {@code true} if the answer's content is complete
   */
  public boolean isFinishPending() {
    return finishPending && !done;
  }

  /**
   * Whether any text, reasoning or tool-call delta was decoded.
   *
   * @return {@code true} after the first token
   */
  public boolean sawToken() {
    return sawToken;
  }

  /**
   * The request id from the headers or {@code x_groq.id}.
   *
   * @return the id, or {@code null}
   */
  public @Nullable String requestId() {
    return requestId;
  }

  /**
   * The model named by the chunks.
   *
   * @return the model, or {@code null}
   */
  public @Nullable String model() {
    return model;
  }

  private void completeHere(List<StreamEvent> out) {
    done = true;
    finishPending = false;
    Usage u = usage;
    if (u != null) {
      out.add(new StreamEvent.UsageUpdate(u));
    }
    String raw = rawFinish;
    out.add(
        raw == null
            ? new StreamEvent.Finish(FinishReason.STOP, null)
            : new StreamEvent.Finish(FinishReason.fromWire(raw), raw));
  }

  /** Parses one choice object (positioned on its START_OBJECT); returns its finish_reason or null. */
  private @Nullable String parseChoice(JsonParser p) throws IOException {
    int index = 0;
    String finish = null;
    int before = chunk.size();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "index":
          if (value == JsonToken.VALUE_NUMBER_INT) {
            index = p.getIntValue();
          }
          break;
        case "delta":
          if (value == JsonToken.START_OBJECT) {
            parseDelta(p);
          } else {
            p.skipChildren();
          }
          break;
        case "finish_reason":
          if (value == JsonToken.VALUE_STRING && !p.getText().isEmpty()) {
            finish = p.getText();
          }
          break;
        default:
          p.skipChildren();
      }
    }
    if (index != 0) {
      while (chunk.size() > before) {
        chunk.remove(chunk.size() - 1);
      }
      return null;
    }
    return finish;
  }

  private void parseDelta(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "content":
          if (value == JsonToken.VALUE_STRING) {
            String text = p.getText();
            if (!text.isEmpty()) {
              chunk.add(new StreamEvent.TextDelta(text));
              sawToken = true;
            }
          }
          break;
        case "reasoning":
          if (value == JsonToken.VALUE_STRING) {
            String text = p.getText();
            if (!text.isEmpty()) {
              chunk.add(new StreamEvent.ReasoningDelta(text));
              sawToken = true;
            }
          } else {
            p.skipChildren();
          }
          break;
        case "tool_calls":
          if (value == JsonToken.START_ARRAY) {
            int position = 0;
            while (p.nextToken() == JsonToken.START_OBJECT) {
              parseToolCall(p, position++);
            }
          } else {
            p.skipChildren();
          }
          break;
        default:
          p.skipChildren();
      }
    }
  }

  private void parseToolCall(JsonParser p, int position) throws IOException {
    int index = position;
    String id = null;
    String name = null;
    String arguments = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "index":
          if (value == JsonToken.VALUE_NUMBER_INT) {
            index = p.getIntValue();
          }
          break;
        case "id":
          if (value == JsonToken.VALUE_STRING) {
            id = p.getText();
          }
          break;
        case "function":
          if (value == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String f = p.currentName();
              JsonToken v = p.nextToken();
              if (f.equals("name") && v == JsonToken.VALUE_STRING) {
                name = p.getText();
              } else if (f.equals("arguments") && v == JsonToken.VALUE_STRING) {
                arguments = p.getText();
              } else {
                p.skipChildren();
              }
            }
          } else {
            p.skipChildren();
          }
          break;
        default:
          p.skipChildren();
      }
    }
    if (index < 0) {
      throw protocol("a tool call has a negative index " + index, null);
    }
    boolean empty =
        (id == null || id.isEmpty())
            && (name == null || name.isEmpty())
            && (arguments == null || arguments.isEmpty());
    if (!empty) {
      chunk.add(new StreamEvent.ToolCallDelta(index, id, name, arguments == null ? "" : arguments));
      sawToken = true;
    }
  }

  /** Reads x_groq (on its START_OBJECT); returns whether it carried usage. */
  private boolean parseXGroq(JsonParser p, byte[] data, int start, int length) throws IOException {
    boolean hadUsage = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("id") && value == JsonToken.VALUE_STRING) {
        if (requestId == null) {
          requestId = short200(p.getText()); // it goes into every error message: keep it short
        }
      } else if (field.equals("usage") && value == JsonToken.START_OBJECT) {
        usage = parseUsage(p);
        hadUsage = true;
      } else if (field.equals("error") && (value == JsonToken.START_OBJECT)) {
        throw upstreamFromNode(errorNode(data, start, length, true));
      } else {
        p.skipChildren();
      }
    }
    return hadUsage;
  }

  private static Usage parseUsage(JsonParser p) throws IOException {
    long prompt = 0;
    long completion = 0;
    long total = -1;
    Long reasoning = null;
    Duration queue = null;
    Duration promptTime = null;
    Duration completionTime = null;
    Duration totalTime = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      boolean number = value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT;
      switch (field) {
        case "prompt_tokens":
          prompt = number ? p.getLongValue() : prompt;
          break;
        case "completion_tokens":
          completion = number ? p.getLongValue() : completion;
          break;
        case "total_tokens":
          total = number ? p.getLongValue() : total;
          break;
        case "queue_time":
          queue = number ? seconds(p.getDoubleValue()) : queue;
          break;
        case "prompt_time":
          promptTime = number ? seconds(p.getDoubleValue()) : promptTime;
          break;
        case "completion_time":
          completionTime = number ? seconds(p.getDoubleValue()) : completionTime;
          break;
        case "total_time":
          totalTime = number ? seconds(p.getDoubleValue()) : totalTime;
          break;
        case "completion_tokens_details":
          if (value == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String f = p.currentName();
              JsonToken v = p.nextToken();
              if (f.equals("reasoning_tokens") && v == JsonToken.VALUE_NUMBER_INT) {
                reasoning = p.getLongValue();
              } else {
                p.skipChildren();
              }
            }
          } else {
            p.skipChildren();
          }
          break;
        default:
          p.skipChildren();
      }
    }
    var timings = GroqTimings.of(queue, promptTime, completionTime, totalTime);
    return new Usage(prompt, completion, total < 0 ? prompt + completion : total, reasoning, timings, false);
  }

  private static Duration seconds(double s) {
    if (!(s >= 0) || s > 1e9) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(Math.round(s * 1e9));
  }

  private StreamException upstreamError(byte[] data, int length) {
    JsonNode root;
    try {
      root = mapper.readTree(data, 0, length);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      return StreamException.upstream(
          "The server reported an error in the stream: " + excerpt(data, length),
          StreamException.NO_STATUS,
          requestId,
          null,
          null);
    }
    JsonNode error = root.has("error") ? root.get("error") : root;
    return upstreamFromNode(error);
  }

  /**
   * Reads the error object of a chunk (rare) as a tree from the event's bytes, with a blocking parser of
   * its own: the chunk parser stops where it is and is replaced.
   */
  private JsonNode errorNode(byte[] data, int start, int length, boolean inXGroq) throws IOException {
    JsonNode root = mapper.readTree(data, start, length - start);
    JsonNode holder = inXGroq && root != null ? root.get("x_groq") : root;
    JsonNode error = holder == null ? null : holder.get("error");
    return error == null ? mapper.getNodeFactory().textNode("(unreadable error)") : error;
  }

  /** Releases the parser's buffers; the decoder decodes nothing afterwards. Idempotent. */
  @Override
  public void close() {
    closed = true;
    closeParser();
  }

  private void resetParser() {
    closeParser();
    parser = newParser();
    fed = 0;
  }

  private void closeParser() {
    try {
      parser.close();
    } catch (IOException ignored) {
      // nothing to close: the input is an array
    }
  }

  private StreamException upstreamFromNode(JsonNode error) {
    String message;
    String type = null;
    String code = null;
    int status = StreamException.NO_STATUS;
    if (error.isObject()) {
      message = text(error.get("message"));
      type = short200(text(error.get("type")));
      code = short200(text(error.get("code")));
      JsonNode sc = error.get("status_code");
      if (sc == null) {
        sc = error.get("status");
      }
      if (sc != null && sc.canConvertToInt() && sc.isNumber()) {
        status = sc.intValue();
      } else if (sc != null && sc.isTextual()) {
        try {
          status = Integer.parseInt(sc.asText().trim());
        } catch (NumberFormatException ignored) {
          // not a status
        }
      }
      if (message == null) {
        message = bounded(error.toString());
      }
    } else {
      message = error.isTextual() ? error.asText() : error.toString();
    }
    return StreamException.upstream(
        "The server reported an error in the stream"
            + (code != null ? " (" + code + ")" : "")
            + ": "
            + bounded(message),
        status,
        requestId,
        type,
        code);
  }

  private static @Nullable String text(@Nullable JsonNode n) {
    return n == null || n.isNull() ? null : n.isTextual() ? n.asText() : n.toString();
  }

  private StreamException protocol(String what, @Nullable Throwable cause) {
    return new StreamException(ErrorKind.PROTOCOL, "Malformed chat-completion stream: " + what, httpStatus, requestId, cause);
  }

  private static @Nullable String short200(@Nullable String s) {
    return s == null || s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }

  static String bounded(String s) {
    return s.length() <= EXCERPT ? s : s.substring(0, EXCERPT) + "…";
  }

  private static String excerpt(byte[] data, int length) {
    int n = Math.min(length, EXCERPT);
    String s = new String(data, 0, n, StandardCharsets.UTF_8);
    return length > EXCERPT ? s + "…" : s;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private static boolean isDone(byte[] data, int start, int length) {
    int end = length;
    while (end > start && isSpace(data[end - 1])) {
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
