package dev.llmstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** One browser's view of the relay over real HTTP: keeps the {@code sid} cookie it was given. */
final class RelayHttp {
  record Event(long id, String type, JsonNode data) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private @Nullable String cookie;

  RelayHttp(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    return send(b);
  }

  HttpResponse<String> get(String path, @Nullable String lastEventId) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).GET();
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    return send(b);
  }

  /** Starts an answer and returns its run id. */
  String start(String message, String chat) throws IOException, InterruptedException {
    HttpResponse<String> r =
        post("/api/chat", JSON.createObjectNode().put("message", message).put("chat", chat).toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("run").asText();
  }

  /** The whole event stream from after {@code afterId} to the {@code done} event. */
  List<Event> events(String run, long afterId) throws IOException, InterruptedException {
    HttpResponse<String> r = get("/api/runs/" + run + "/events", afterId == 0 ? null : Long.toString(afterId));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
    return parse(r.body());
  }

  static List<Event> parse(String body) throws IOException {
    List<Event> out = new ArrayList<>();
    for (String frame : body.split("\n\n")) {
      long id = -1;
      String type = null;
      String data = null;
      for (String line : frame.split("\n")) {
        // "id: 7" (the relay's own frames, MVC) and "id:7" (Spring's SSE encoder, WebFlux) alike
        int colon = line.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String value = line.substring(colon + 1);
        value = value.startsWith(" ") ? value.substring(1) : value;
        switch (line.substring(0, colon)) {
          case "id" -> id = Long.parseLong(value);
          case "event" -> type = value;
          case "data" -> data = data == null ? value : data + "\n" + value;
          default -> { }
        }
      }
      if (type != null && data != null) {
        out.add(new Event(id, type, JSON.readTree(data)));
      }
    }
    return out;
  }

  static String text(List<Event> events) {
    StringBuilder sb = new StringBuilder();
    for (Event e : events) {
      if (e.type().equals("text")) {
        sb.append(e.data().get("t").asText());
      }
    }
    return sb.toString();
  }

  static JsonNode json(String body) throws IOException {
    return JSON.readTree(body);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    HttpResponse<String> r;
    try {
      // bounded, body included: a stream that never ends fails here with a clear message
      r = client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("no complete response within 30 s", e);
    }
    r.headers()
        .allValues("Set-Cookie")
        .forEach(
            c -> {
              if (c.startsWith("sid=")) {
                cookie = c.substring(0, c.indexOf(';'));
              }
            });
    return r;
  }

  @Nullable String cookie() {
    return cookie;
  }
}
