package dev.llmstream.web.testing;

import dev.llmstream.web.SseConnection;
import dev.llmstream.web.SseSink;
import dev.llmstream.web.AnswerRuns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** An in-memory {@link SseSink} that completes every write at once and parses what it got. */
public final class CollectingSink implements SseSink {
  private final StringBuilder received = new StringBuilder();
  public final CompletableFuture<List<SseClient.Event>> closed = new CompletableFuture<>();
  public final CompletableFuture<Void> sawText = new CompletableFuture<>();

  @Override
  public synchronized void write(byte[] bytes, Consumer<Throwable> done) {
    received.append(new String(bytes, StandardCharsets.UTF_8));
    if (received.indexOf("event: text") >= 0) {
      sawText.complete(null);
    }
    done.accept(null);
  }

  @Override
  public void close() {
    closed.complete(events());
  }

  public synchronized List<SseClient.Event> events() {
    List<SseClient.Event> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new StringReader(received.toString()))) {
      long id = -1;
      String type = null;
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          out.add(new SseClient.Event(id, type, line.substring(6)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Waits until the run's log holds answer text (what the model sent has reached the run). */
  public static void awaitText(AnswerRuns runs, String owner, String runId) throws Exception {
    CollectingSink sink = new CollectingSink();
    SseConnection c = runs.open(owner, runId, 0).toCompletableFuture().join().orElseThrow().start(sink);
    sink.sawText.get(30, java.util.concurrent.TimeUnit.SECONDS);
    c.clientClosed();
  }

  /** Reads a whole run through the relay without HTTP. */
  public static List<SseClient.Event> readAll(AnswerRuns runs, String owner, String runId) throws Exception {
    CollectingSink sink = new CollectingSink();
    runs.open(owner, runId, 0).toCompletableFuture().join().orElseThrow().start(sink);
    return sink.closed.get(60, java.util.concurrent.TimeUnit.SECONDS);
  }
}
