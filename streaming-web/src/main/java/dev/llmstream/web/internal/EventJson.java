package dev.llmstream.web.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.Progress;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.Usage;
import dev.llmstream.web.spi.RunStatus;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/**
 * The JSON of each event type of {@code docs/WEB-PROTOCOL.md}, written with Jackson's streaming generator
 * (one line, no trees). Stateless and thread-safe.
 */
public final class EventJson {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private EventJson() {
    throw new AssertionError("no instances");
  }

  /** Writes fields into one JSON object. */
  @FunctionalInterface
  interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  static String object(Fields fields) {
    StringWriter w = new StringWriter(64);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return w.toString();
  }

  static String typing(boolean on) {
    return on ? "{\"on\":true}" : "{\"on\":false}";
  }

  static String text(CharSequence t) {
    return object(g -> g.writeStringField("t", t.toString()));
  }

  /**
   * A stored event's data with the relay's send time added: {@code "st"}, epoch milliseconds, the last
   * field (the browser measures display lag from it). Every field of {@code data} is kept.
   *
   * @param data a JSON object, as stored
   * @param sentAtMillis the send time
   * @return the object with {@code "st"}; {@code data} unchanged if it is not an object
   */
  static String stamped(String data, long sentAtMillis) {
    int end = data.lastIndexOf('}');
    if (end < 0 || !data.startsWith("{")) {
      return data;
    }
    boolean empty = data.substring(1, end).isBlank();
    return data.substring(0, end) + (empty ? "\"st\":" : ",\"st\":") + sentAtMillis + data.substring(end);
  }

  static String progress(Progress p) {
    return object(
        g -> {
          g.writeNumberField("tokens", p.tokens());
          g.writeNumberField("tokensPerSecond", Math.round(p.tokensPerSecond() * 10) / 10.0);
          g.writeFieldName("percentOfMax");
          if (p.percentOfMaxTokens().isPresent()) {
            g.writeNumber(Math.round(p.percentOfMaxTokens().getAsDouble() * 10) / 10.0);
          } else {
            g.writeNull();
          }
        });
  }

  static String recovering(int attempt, String cause) {
    return object(
        g -> {
          g.writeNumberField("attempt", attempt);
          g.writeStringField("cause", cause);
        });
  }

  static String replaced(CharSequence text, CharSequence reasoning) {
    return object(
        g -> {
          g.writeStringField("text", text.toString());
          g.writeStringField("reasoning", reasoning.toString());
        });
  }

  static String done(
      RunStatus state, ChatResponse r, @Nullable StreamException error, @Nullable String stoppedBy) {
    return object(
        g -> {
          g.writeStringField("state", state.name());
          g.writeStringField("finishReason", r.finishReason() == null ? null : r.finishReason().wireName());
          g.writeFieldName("error");
          if (error == null) {
            g.writeNull();
          } else {
            g.writeStartObject();
            g.writeStringField("type", error.kind().name());
            g.writeStringField("message", error.getMessage());
            g.writeBooleanField("retryable", error.isRetryable());
            g.writeEndObject();
          }
          g.writeFieldName("usage");
          Usage u = r.usage();
          if (u == null) {
            g.writeNull();
          } else {
            g.writeStartObject();
            g.writeNumberField("promptTokens", u.promptTokens());
            g.writeNumberField("completionTokens", u.completionTokens());
            g.writeNumberField("totalTokens", u.totalTokens());
            g.writeEndObject();
          }
          g.writeStringField("stoppedBy", stoppedBy);
        });
  }

  /**
   * Reads the {@code t} field of a {@code text} or {@code reasoning} event's data.
   *
   * @param data the event's JSON
   * @return the text, empty if absent
   */
  static String readT(String data) {
    return readField(data, "t");
  }

  /**
   * Reads a top-level string field of an event's data.
   *
   * @param data the event's JSON
   * @param field the field name
   * @return its value, empty if absent or not a string
   */
  static String readField(String data, String field) {
    try (JsonParser p = JSON.createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return "";
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (field.equals(name) && v == JsonToken.VALUE_STRING) {
          return p.getText();
        }
        p.skipChildren();
      }
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
