package dev.llmstream.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code llmstream.js} (as shipped by streaming-web) in headless Chromium against a scripted event
 * stream: resumes after dropped connections with nothing lost or repeated, merges a burst of events into
 * one delivery per frame, hands {@code replaced} and {@code done} over in order, stops with a POST, and
 * gives up once on a 404. The server here is a test stub speaking protocol v1 (docs/WEB-PROTOCOL.md), so
 * each behaviour is forced exactly (drops at chosen events, a burst in one write).
 */
class LlmStreamClientBrowserTest {
  private static final int EVENTS = 60;
  private static final String HARNESS = """
      <!doctype html><meta charset="utf-8"><title>llmstream.js harness</title>
      <script src="/llmstream.js"></script>
      <script>
      window.open_ = (url, options) => {
        const log = window.log = [];
        window.conn = LlmStream.connect(url, Object.assign({
          onTyping: (on) => log.push(["typing", on]),
          onText: (batch, all) => log.push(["text", batch, all.length]),
          onReplaced: (d) => log.push(["replaced", d.text]),
          onProgress: (p) => log.push(["progress", p.tokens]),
          onDone: (d, a) => log.push(["done", d.state, a.text]),
          onError: (e) => log.push(["error", e.type]),
          onReconnecting: () => log.push(["reconnecting"]),
        }, options || {}));
      };
      </script>
      """;

  private static HttpServer server;
  private static WebDriver driver;
  private static final List<String> requests = new CopyOnWriteArrayList<>();
  private static final AtomicInteger stops = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    Chromium.assumeInstalled("LlmStreamClientBrowserTest");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", LlmStreamClientBrowserTest::serve);
    server.start();
    driver = Chromium.start();
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  @BeforeEach
  void freshPage() {
    requests.clear();
    driver.get("http://127.0.0.1:" + server.getAddress().getPort() + "/harness.html");
  }

  /** Event {@code i} of the scripted run: typing, then text, a progress every 10th, done last. */
  private static String event(int i) {
    String data;
    String type;
    if (i == 1) {
      type = "typing";
      data = "{\"on\":true}";
    } else if (i == EVENTS) {
      type = "done";
      data = "{\"state\":\"COMPLETED\",\"finishReason\":\"stop\",\"error\":null,\"usage\":null}";
    } else if (i % 10 == 0) {
      type = "progress";
      data = "{\"tokens\":" + i + ",\"tokensPerSecond\":1.0,\"percentOfMax\":null}";
    } else {
      type = "text";
      data = "{\"t\":\"t" + i + " \"}";
    }
    return "id: " + i + "\nevent: " + type + "\ndata: " + data + "\n\n";
  }

  private static String expectedText() {
    StringBuilder b = new StringBuilder();
    for (int i = 2; i < EVENTS; i++) {
      if (i % 10 != 0) {
        b.append('t').append(i).append(' ');
      }
    }
    return b.toString();
  }

  private static void serve(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String query = ex.getRequestURI().getQuery() == null ? "" : ex.getRequestURI().getQuery();
    String lastId = ex.getRequestHeaders().getFirst("Last-Event-ID");
    switch (path) {
      case "/harness.html" -> send(ex, 200, "text/html; charset=utf-8", HARNESS);
      case "/llmstream.js" -> {
        try (InputStream in = LlmStreamClientBrowserTest.class.getResourceAsStream("/META-INF/resources/llmstream.js")) {
          send(ex, 200, "text/javascript; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
      case "/runs/dropping/events", "/runs/burst/events" -> {
        requests.add("after=" + (query.startsWith("after=") ? query.substring(6) : "") + " last=" + lastId);
        int after = Math.max(lastId == null ? 0 : Integer.parseInt(lastId),
            query.startsWith("after=") ? Integer.parseInt(query.substring(6)) : 0);
        // "dropping" closes the connection after every 7 events; "burst" writes everything in one write.
        int upTo = path.contains("dropping") ? Math.min(EVENTS, after + 7) : EVENTS;
        StringBuilder body = new StringBuilder("retry: 50\n\n");
        for (int i = after + 1; i <= upTo; i++) {
          body.append(event(i));
        }
        send(ex, 200, "text/event-stream", body.toString());
      }
      case "/runs/replacing/events" -> send(ex, 200, "text/event-stream",
          "id: 1\nevent: text\ndata: {\"t\":\"first try\"}\n\n"
              + "id: 2\nevent: replaced\ndata: {\"text\":\"second\",\"reasoning\":\"\"}\n\n"
              + "id: 3\nevent: text\ndata: {\"t\":\" try\"}\n\n"
              + "id: 4\nevent: done\ndata: {\"state\":\"CANCELLED\",\"finishReason\":\"cancelled\",\"error\":null,\"usage\":null}\n\n");
      case "/runs/replacing/stop" -> {
        stops.incrementAndGet();
        send(ex, 200, "application/json", "{\"stopped\":true}");
      }
      default -> {
        requests.add("404 " + path);
        send(ex, 404, "application/json", "{\"error\":\"no such run\"}");
      }
    }
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  @SuppressWarnings("unchecked")
  private static List<List<Object>> awaitLogEndingWith(String kind) {
    new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> Boolean.TRUE.equals(
        js("return window.log && window.log.length > 0 && window.log[window.log.length - 1][0] === arguments[0];", kind)));
    return (List<List<Object>>) js("return window.log;");
  }

  @Test
  void resumesAfterEachDroppedConnectionWithNothingLostOrRepeated() {
    js("open_('/runs/dropping/events', {after: 0});");
    List<List<Object>> log = awaitLogEndingWith("done");
    assertThat(log.get(0)).containsExactly("typing", true);
    assertThat(log.get(log.size() - 1)).containsExactly("done", "COMPLETED", expectedText());
    StringBuilder joined = new StringBuilder();
    log.stream().filter(e -> e.get(0).equals("text")).forEach(e -> joined.append(e.get(1)));
    assertThat(joined.toString()).isEqualTo(expectedText());
    assertThat(log).filteredOn(e -> e.get(0).equals("progress")).hasSize(5);
    assertThat(log).filteredOn(e -> e.get(0).equals("reconnecting")).hasSize((EVENTS + 6) / 7 - 1);
    // Every reconnection asked for the events after the last one received.
    assertThat(requests).hasSize((EVENTS + 6) / 7);
    for (int k = 1; k < requests.size(); k++) {
      assertThat(requests.get(k)).endsWith("last=" + (7 * k));
    }
    assertThat(js("return conn.lastEventId;")).isEqualTo((long) EVENTS);
  }

  @Test
  void aBurstOfEventsIsHandedOverInFewDeliveries() {
    js("open_('/runs/burst/events');");
    List<List<Object>> log = awaitLogEndingWith("done");
    long textEvents = EVENTS - 2 - 5;
    List<List<Object>> texts = log.stream().filter(e -> e.get(0).equals("text")).toList();
    assertThat(texts.size()).as("deliveries of %s text events sent in one write", textEvents).isLessThan((int) textEvents / 4);
    assertThat(texts.get(texts.size() - 1).get(2)).isEqualTo((long) expectedText().length());
  }

  @Test
  void replacedRedrawsThenDoneEndsAndStopPosts() {
    int before = stops.get();
    js("open_('/runs/replacing/events'); conn.stop();");
    List<List<Object>> log = awaitLogEndingWith("done");
    assertThat(log).containsExactly(
        List.of("text", "first try", 9L), List.of("replaced", "second"), List.of("text", " try", 10L),
        List.of("done", "CANCELLED", "second try"));
    assertThat(stops.get()).isEqualTo(before + 1);
  }

  @Test
  void aRefusedStreamEndsWithOneErrorAndNoRetry() {
    js("open_('/runs/unknown/events');");
    List<List<Object>> log = awaitLogEndingWith("error");
    assertThat(log).containsExactly(List.of("error", "CONNECTION"));
    assertThat(requests).containsExactly("404 /runs/unknown/events");
    // Closed for good: an EventSource in state CLOSED never reconnects.
    assertThat(js("return conn.es.readyState === EventSource.CLOSED && conn.closed;")).isEqualTo(Boolean.TRUE);
  }

  @Test
  void aSavedStateResumesAfterItsLastEventId() {
    js("open_('/runs/dropping/events', {storageKey: 'k', meta: {run: 'dropping'}});");
    awaitLogEndingWith("done");
    assertThat(js("return LlmStream.saved('k');")).as("forgotten after done").isNull();
    // A reload with saved state (what the page does): carry on after the saved id with the saved text.
    js("open_('/runs/dropping/events', {after: 53, text: 'saved ', storageKey: 'k'});");
    List<List<Object>> log = awaitLogEndingWith("done");
    assertThat(requests.get(requests.size() - 1)).isEqualTo("after=53 last=null");
    @SuppressWarnings("unchecked")
    Map<String, Object> none = (Map<String, Object>) js("return LlmStream.saved('k');");
    assertThat(none).isNull();
    assertThat(log.get(log.size() - 1)).containsExactly("done", "COMPLETED", "saved t54 t55 t56 t57 t58 t59 ");
  }
}
