package dev.llmstream.groq.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.StreamEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads any chat-completion chunk into a {@link Chunk} with one Jackson streaming parser per stream (no
 * tree, no parser per chunk): it reads the events' data as a sequence of root-level objects from an input
 * that hands it one event at a time, so a chunk costs no more than its own strings and events. (Jackson's
 * non-blocking parser would do the same with less ceremony but parses about a quarter slower.) Only the
 * rare error object is read as a tree.
 *
 * <p>Reasoning is {@code delta.reasoning} (Groq); DeepSeek's {@code reasoning_content} is not read. Only
 * choice 0 is kept ({@code n > 1} is not supported). Unknown fields are ignored.
 *
 * <p>Not thread-safe: one per decoder. {@link #close()} releases the parser's buffers.
 */
final class JacksonChunkParser implements AutoCloseable {
  private final JsonFactory factory;
  private final WireErrors errors;
  private final EventInput input = new EventInput();
  /** Created on the first chunk that needs it; {@code null} again after {@link #release()}. */
  private @Nullable JsonParser parser;
  private long fed;

  /** The chunk is not one valid JSON object (or says something impossible); the message says what. */
  static final class MalformedChunk extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedChunk(String what, @Nullable Throwable cause) {
      super(what, cause);
    }
  }

  JacksonChunkParser(ObjectMapper mapper) {
    this.errors = new WireErrors(mapper);
    this.factory = mapper.getFactory();
  }

  private JsonParser newParser() {
    try {
      return factory.createParser(input);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not thrown: nothing is read before nextToken()
    }
  }

  /**
   * The parser's input: the current event's bytes, then end of input. The parser asks for more only
   * when it needs bytes for the next token, so it never reads past the event it is given: a complete
   * object leaves it waiting at the root level for the next event; an incomplete one meets the end of
   * input and fails.
   */
  private static final class EventInput extends InputStream {
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
   * Reads the JSON object in {@code data[start, length)} into {@code chunk} (cleared by the caller). At
   * an error object it stops, with the error in {@link Chunk#error}.
   *
   * @param wantModel whether to read {@code model} (only until the answer knows it)
   * @param wantId whether to read {@code x_groq.id} (only until the answer knows it)
   * @throws MalformedChunk if the data is not one JSON object; {@code chunk} holds what came before
   */
  void parse(byte[] data, int start, int length, Chunk chunk, boolean wantModel, boolean wantId)
      throws MalformedChunk {
    boolean clean = false;
    JsonParser p = parser;
    if (p == null) {
      p = newParser();
      parser = p;
    }
    try {
      input.set(data, start, length);
      fed += length - start;
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedChunk("a chunk is not a JSON object: " + excerpt(data, length), null);
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "choices":
            if (value == JsonToken.START_ARRAY) {
              while (p.nextToken() == JsonToken.START_OBJECT) {
                String fin = parseChoice(p, chunk);
                if (fin != null) {
                  chunk.finish = fin;
                }
              }
            } else {
              p.skipChildren();
            }
            break;
          case "x_groq":
            if (value == JsonToken.START_OBJECT) {
              if (!parseXGroq(p, chunk, wantId, data, start, length)) {
                return; // an error object: the parser is replaced
              }
            } else {
              p.skipChildren();
            }
            break;
          case "usage":
            if (value == JsonToken.START_OBJECT) {
              chunk.usage = UsageJson.read(p);
            } else {
              p.skipChildren();
            }
            break;
          case "model":
            if (value == JsonToken.VALUE_STRING && wantModel && chunk.model == null) {
              chunk.model = p.getText();
            }
            break;
          case "error":
            if (value == JsonToken.START_OBJECT || value == JsonToken.VALUE_STRING) {
              chunk.error = errors.inChunk(data, start, length, false);
              return; // the parser is replaced
            }
            p.skipChildren();
            break;
          default:
            p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new MalformedChunk("a chunk is not valid JSON (it ends before its object is closed): "
            + excerpt(data, length), null);
      }
      // after the object only whitespace may follow (the parser skips it before the next event)
      long unread = fed - p.currentLocation().getByteOffset();
      for (long k = length - unread; k < length; k++) {
        if (!isSpace(data[(int) k])) {
          throw new MalformedChunk("a chunk is not a single JSON object: " + excerpt(data, length), null);
        }
      }
      clean = true;
    } catch (IOException e) {
      throw new MalformedChunk("a chunk is not valid JSON ("
          + withoutLocation(e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage())
          + "): " + excerpt(data, length), e);
    } finally {
      input.clear(); // the event's bytes are the caller's
      if (!clean) {
        resetParser(); // the parser stopped inside a value: the next event starts on a fresh one
      }
    }
  }

  /** Parses one choice object (positioned on its START_OBJECT); returns its finish_reason or null. */
  private static @Nullable String parseChoice(JsonParser p, Chunk chunk) throws IOException, MalformedChunk {
    int index = 0;
    String finish = null;
    int before = chunk.deltas.size();
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
            parseDelta(p, chunk);
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
      while (chunk.deltas.size() > before) {
        chunk.deltas.remove(chunk.deltas.size() - 1);
      }
      return null;
    }
    return finish;
  }

  private static void parseDelta(JsonParser p, Chunk chunk) throws IOException, MalformedChunk {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "content":
          if (value == JsonToken.VALUE_STRING) {
            String text = p.getText();
            if (!text.isEmpty()) {
              chunk.deltas.add(new StreamEvent.TextDelta(text));
              chunk.sawToken = true;
            }
          }
          break;
        case "reasoning":
          if (value == JsonToken.VALUE_STRING) {
            String text = p.getText();
            if (!text.isEmpty()) {
              chunk.deltas.add(new StreamEvent.ReasoningDelta(text));
              chunk.sawToken = true;
            }
          } else {
            p.skipChildren();
          }
          break;
        case "tool_calls":
          if (value == JsonToken.START_ARRAY) {
            int position = 0;
            while (p.nextToken() == JsonToken.START_OBJECT) {
              parseToolCall(p, position++, chunk);
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

  private static void parseToolCall(JsonParser p, int position, Chunk chunk) throws IOException, MalformedChunk {
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
      throw new MalformedChunk("a tool call has a negative index " + index, null);
    }
    boolean empty =
        (id == null || id.isEmpty())
            && (name == null || name.isEmpty())
            && (arguments == null || arguments.isEmpty());
    if (!empty) {
      chunk.deltas.add(new StreamEvent.ToolCallDelta(index, id, name, arguments == null ? "" : arguments));
      chunk.sawToken = true;
    }
  }

  /** Reads x_groq (on its START_OBJECT); returns {@code false} if it stopped at an error object. */
  private boolean parseXGroq(JsonParser p, Chunk chunk, boolean wantId, byte[] data, int start, int length)
      throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("id") && value == JsonToken.VALUE_STRING) {
        if (wantId && chunk.id == null) {
          chunk.id = short200(p.getText()); // it goes into every error message: keep it short
        }
      } else if (field.equals("usage") && value == JsonToken.START_OBJECT) {
        chunk.usage = UsageJson.read(p);
      } else if (field.equals("error") && (value == JsonToken.START_OBJECT)) {
        chunk.error = errors.inChunk(data, start, length, true);
        return false;
      } else {
        p.skipChildren();
      }
    }
    return true;
  }

  /**
   * Jackson's message without the locations it embeds ("start marker at [Source: …; line: 1, column:
   * 1377]"): the one parser reads all of a stream's events as one line, so its columns count the bytes of
   * earlier events (which the fast path does not even show it) and would only mislead.
   */
  static @Nullable String withoutLocation(@Nullable String message) {
    return message == null
        ? null
        : LOCATION.matcher(EMBEDDED.matcher(message).replaceAll("")).replaceAll("");
  }

  private static final Pattern EMBEDDED =
      Pattern.compile(" ?\\((?:start marker at|for [A-Za-z]+ starting at) \\[Source: [^\\]]*\\]\\)");
  private static final Pattern LOCATION = Pattern.compile(" ?(?:at )?\\[Source: [^\\]]*\\]");

  static @Nullable String short200(@Nullable String s) {
    return s == null || s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }

  static String excerpt(byte[] data, int length) {
    int n = Math.min(length, 500);
    String s = new String(data, 0, n, StandardCharsets.UTF_8);
    return length > 500 ? s + "…" : s;
  }

  static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  /**
   * Reads an SSE event of type {@code error}.
   *
   * @return the error it reports
   */
  Chunk.WireError errorEvent(byte[] data, int length) {
    return errors.event(data, length);
  }

  /** Releases the parser's buffers. Idempotent. */
  @Override
  public void close() {
    release();
  }

  /**
   * Drops the parser and its buffers (~2 KB: its read buffer, text buffer, contexts and name table) until a
   * chunk needs it again; the next {@link #parse} starts on a fresh one, as after a malformed chunk. The
   * decoder calls this when the fast path takes over, so a stream of {@code delta.content} chunks does not
   * keep a parser it no longer uses for its whole life.
   */
  void release() {
    JsonParser p = parser;
    parser = null;
    fed = 0;
    if (p != null) {
      try {
        p.close();
      } catch (IOException ignored) {
        // nothing to close: the input is an array
      }
    }
  }

  /** Whether a parser (and its buffers) is held. */
  boolean holdsParser() {
    return parser != null;
  }

  private void resetParser() {
    release(); // the next event starts on a fresh one
  }
}
