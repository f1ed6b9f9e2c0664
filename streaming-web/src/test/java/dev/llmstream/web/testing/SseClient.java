package dev.llmstream.web.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A test client for the relay's event streams: reads events over real HTTP, and can drop the connection. */
public final class SseClient {
  public static final ObjectMapper JSON = new ObjectMapper();

  /** One received event. */
  public record Event(long id, String type, String data) {
    public JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** What one connection got. */
  public record Result(int status, List<Event> events, boolean sawDone) {}

  private final HttpClient http;
  private final String base;

  public SseClient(HttpClient http, String base) {
    this.http = http;
    this.base = base;
  }

  /** Reads up to {@code max} events (or to the done event), then closes the connection. */
  public Result read(String owner, String runId, long lastEventId, int max) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/runs/" + runId + "/events")).timeout(Duration.ofSeconds(60));
    if (owner != null) {
      b.header("X-Owner", owner);
    }
    if (lastEventId > 0) {
      b.header("Last-Event-ID", Long.toString(lastEventId));
    }
    HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    List<Event> out = new ArrayList<>();
    boolean done = false;
    try (InputStream in = r.body();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      if (r.statusCode() != 200) {
        return new Result(r.statusCode(), out, false);
      }
      long id = -1;
      String type = null;
      String line;
      while (out.size() < max && (line = reader.readLine()) != null) {
        if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          out.add(new Event(id, type, line.substring(6)));
          if ("done".equals(type)) {
            done = true;
            break;
          }
        }
      }
    }
    return new Result(r.statusCode(), out, done);
  }

  /** Reads the whole run from {@code lastEventId}. */
  public Result readAll(String owner, String runId, long lastEventId) throws Exception {
    return read(owner, runId, lastEventId, Integer.MAX_VALUE);
  }

  /** The answer text of the events ({@code text} appended, {@code replaced} resetting). */
  public static String text(List<Event> events) {
    StringBuilder sb = new StringBuilder();
    for (Event e : events) {
      if (e.type().equals("text")) {
        sb.append(e.json().get("t").asText());
      } else if (e.type().equals("replaced")) {
        sb.setLength(0);
        sb.append(e.json().get("text").asText());
      }
    }
    return sb.toString();
  }

  public static Event last(List<Event> events) {
    return events.get(events.size() - 1);
  }
}
