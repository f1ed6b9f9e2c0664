package dev.llmstream.testkit.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.RecordedRequest;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the fake server tells about its exchanges to someone outside the test's JVM: one log line when a
 * request arrives and one when its response ends, and the JSON of {@code GET /_testkit/connections}.
 * A request is summarised by method, path, model, number of messages and body size: never the prompt, the
 * headers or the API key.
 *
 * <p>Stateless and thread-safe.
 */
public final class ExchangeLog {
  /** The path of the control endpoint that lists the exchanges. */
  public static final String CONNECTIONS_PATH = "/_testkit/connections";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ExchangeLog() {
    throw new AssertionError("no instances");
  }

  /**
   * Whether a request is for the testkit's control endpoints (not recorded, not scripted).
   *
   * @param target the request target (path and query)
   * @return {@code true} for {@code /_testkit/...}
   */
  public static boolean isControl(String target) {
    return target.startsWith("/_testkit/");
  }

  /**
   * The line logged when a request arrives.
   *
   * @param request the request
   * @param status the status the response will have
   * @return the line
   */
  public static String started(RecordedRequest request, int status) {
    return "exchange #" + request.index() + ": " + summary(request) + " -> " + status;
  }

  /**
   * The line logged when a response ends.
   *
   * @param request the request it answered
   * @param record how it ended
   * @return the line
   */
  public static String ended(RecordedRequest request, ConnectionRecord record) {
    return "exchange #" + request.index() + " ended " + record.ending() + " (" + describe(record.ending())
        + ") after " + record.chunksSent() + " chunk(s): " + summary(request) + " -> " + record.status();
  }

  /**
   * The body of {@code GET /_testkit/connections}: {@code {"openConnections": n, "exchanges": [{"index",
   * "method", "path", "model", "messages", "bodyBytes", "status", "ending", "chunksSent", "stalled"}]}},
   * one exchange per request in arrival order ({@code status}, {@code ending} ... absent for a request
   * whose response has not been planned yet).
   *
   * @param requests the recorded requests
   * @param records how their responses went, in the same order (may be shorter)
   * @param openConnections the TCP connections open now (the asking one included)
   * @return the JSON text
   */
  public static String connectionsJson(
      List<RecordedRequest> requests, List<ConnectionRecord> records, int openConnections) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("openConnections", openConnections);
      g.writeArrayFieldStart("exchanges");
      for (int i = 0; i < requests.size(); i++) {
        RecordedRequest r = requests.get(i);
        g.writeStartObject();
        g.writeNumberField("index", r.index());
        g.writeStringField("method", r.method());
        g.writeStringField("path", r.path());
        g.writeStringField("model", r.model());
        g.writeNumberField("messages", messages(r));
        g.writeNumberField("bodyBytes", r.body().length());
        if (i < records.size()) {
          ConnectionRecord c = records.get(i);
          g.writeNumberField("status", c.status());
          g.writeStringField("ending", c.ending().name());
          g.writeNumberField("chunksSent", c.chunksSent());
          g.writeBooleanField("stalled", c.stalled());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the connections JSON", e);
    }
    return out.toString();
  }

  private static String summary(RecordedRequest r) {
    @Nullable String model = r.model();
    return r.method() + " " + r.path() + (model == null ? "" : " model=" + model)
        + " messages=" + messages(r) + " body=" + r.body().length() + " chars";
  }

  private static int messages(RecordedRequest r) {
    try {
      return r.json().get("messages") instanceof List<?> list ? list.size() : 0;
    } catch (RuntimeException notJson) {
      return 0;
    }
  }

  private static String describe(ConnectionRecord.Ending ending) {
    switch (ending) {
      case COMPLETED: return "the whole response was sent";
      case CUT: return "the server cut it as scripted";
      case CLOSED_BY_CLIENT: return "the client closed the connection";
      case SERVER_CLOSED: return "the server was closed";
      default: return "still open";
    }
  }
}
