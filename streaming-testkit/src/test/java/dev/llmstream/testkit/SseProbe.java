package dev.llmstream.testkit;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A raw client for tests: posts a chat request with the JDK HttpClient and reads the SSE body line by
 * line on a reader thread, stamping each line with a clock (virtual or real), so tests measure what
 * the server really sent.
 */
final class SseProbe implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(10);
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** One observation: a line, the clean end of the body, or an I/O error. */
  record Item(String line, long nanos, boolean end, IOException error) {
    boolean isLine() {
      return !end && error == null;
    }
  }

  private final LinkedBlockingQueue<Item> items = new LinkedBlockingQueue<>();
  private final CompletableFuture<HttpResponse.ResponseInfo> headers = new CompletableFuture<>();
  private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
  private final LongSupplier clock;

  private SseProbe(LongSupplier clock) {
    this.clock = clock;
  }

  static String chatBody(String prompt) {
    return "{\"model\":\"llama-3.3-70b-versatile\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
        + dev.llmstream.testkit.internal.GroqWire.quote(prompt) + "}]}";
  }

  static SseProbe post(FakeGroqServer server, LongSupplier clock) {
    return post(server.baseUrl() + "/chat/completions", chatBody("Hello"), clock);
  }

  /**
   * Posts and reads the body with a line subscriber (not an InputStream: the JDK's response
   * InputStream drops buffered bytes once the connection fails, which would hide what was sent).
   */
  static SseProbe post(String url, String body, LongSupplier clock) {
    HttpRequest req = HttpRequest.newBuilder(URI.create(url))
        .header("content-type", "application/json")
        .header("authorization", "Bearer test-key")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    SseProbe p = new SseProbe(clock);
    Flow.Subscriber<String> lines = new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        p.subscription.complete(s);
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(String line) {
        p.items.add(new Item(line, clock.getAsLong(), false, null));
      }

      @Override
      public void onError(Throwable t) {
        IOException e = t instanceof IOException io ? io : new IOException(t);
        p.items.add(new Item(null, clock.getAsLong(), false, e));
      }

      @Override
      public void onComplete() {
        p.items.add(new Item(null, clock.getAsLong(), true, null));
      }
    };
    CLIENT.sendAsync(req, info -> {
      p.headers.complete(info);
      return HttpResponse.BodySubscribers.fromLineSubscriber(lines);
    }).whenComplete((r, e) -> {
      if (e != null && !p.headers.isDone()) {
        p.headers.completeExceptionally(e);
      }
    });
    return p;
  }

  HttpResponse.ResponseInfo response() throws Exception {
    return headers.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  boolean responseArrived() {
    return headers.isDone();
  }

  /** Waits for the response headers; the body is already being read line by line. */
  SseProbe read() throws Exception {
    response();
    return this;
  }

  /** The next item, waiting up to {@link #WAIT}. */
  Item next() throws InterruptedException {
    Item i = items.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (i == null) {
      throw new AssertionError("nothing arrived within " + WAIT);
    }
    return i;
  }

  /** The next item if one arrives within {@code millis} (for "nothing arrives" checks). */
  Item poll(long millis) throws InterruptedException {
    return items.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** The next item other than a blank line, if one arrives within {@code millis}. */
  Item pollNonBlank(long millis) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (true) {
      Item i = items.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (i == null || !i.isLine() || !i.line().isEmpty()) {
        return i;
      }
    }
  }

  /** The next non-blank line, waiting; fails on end or error. */
  Item nextLine() throws InterruptedException {
    while (true) {
      Item i = next();
      if (!i.isLine()) {
        throw new AssertionError("expected a line but got " + (i.end() ? "end of body" : i.error()));
      }
      if (!i.line().isEmpty()) {
        return i;
      }
    }
  }

  /** Reads everything until the end or an error; returns all items (blank lines dropped). */
  List<Item> drain() throws InterruptedException {
    List<Item> out = new ArrayList<>();
    while (true) {
      Item i = next();
      if (i.isLine() && i.line().isEmpty()) {
        continue;
      }
      out.add(i);
      if (!i.isLine()) {
        return out;
      }
    }
  }

  static List<String> dataLines(List<Item> items) {
    List<String> out = new ArrayList<>();
    for (Item i : items) {
      if (i.isLine() && i.line().startsWith("data: ")) {
        out.add(i.line().substring(6));
      }
    }
    return out;
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("invalid JSON: " + json, e);
    }
  }

  /** Joins the delta field of every chunk. */
  static String join(List<String> data, String field) {
    StringBuilder sb = new StringBuilder();
    for (String d : data) {
      if (d.equals("[DONE]")) {
        continue;
      }
      JsonNode delta = parse(d).path("choices").path(0).path("delta");
      if (delta.hasNonNull(field)) {
        sb.append(delta.get(field).asText());
      }
    }
    return sb.toString();
  }

  /** Closes the connection from the client side (cancels the body). */
  @Override
  public void close() throws IOException {
    try {
      subscription.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).cancel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("no body subscription", e);
    }
  }
}
