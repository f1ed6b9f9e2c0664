package dev.llmstream.web;

import dev.llmstream.web.testing.SseClient;
import static dev.llmstream.web.RelayFixture.ask;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A thousand readers of one run on one instance: the thread count does not depend on them. */
class ReaderLoadTest {
  private final RelayFixture upstream = new RelayFixture();
  private JdkRelayServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    upstream.close();
  }

  @Test
  void aThousandReadersOfOneRunUseAFixedNumberOfThreads() throws Exception {
    AnswerRuns runs = AnswerRuns.builder(upstream.provider).build();
    server = new JdkRelayServer(runs, 4);
    CompletableFuture<RunResult> end = new CompletableFuture<>();
    String id =
        runs.start("alice", ask(RelayFixture.SLOW), RunOptions.builder().listener(end::complete).build())
            .toCompletableFuture()
            .join();
    ExecutorService clientPool = Executors.newFixedThreadPool(2);
    HttpClient http = HttpClient.newBuilder().executor(clientPool).build();
    try {
      List<CompletableFuture<String>> texts = new ArrayList<>();
      texts.addAll(open(http, id, 10));
      int threadsAt10 = ManagementFactory.getThreadMXBean().getThreadCount();
      texts.addAll(open(http, id, 990));
      int threadsAt1000 = ManagementFactory.getThreadMXBean().getThreadCount();
      assertThat(runs.readers()).isEqualTo(1000);
      System.out.printf("1,000 readers: %d JVM threads with 10 readers, %d with 1,000 (test client included)%n",
          threadsAt10, threadsAt1000);
      assertThat(threadsAt1000 - threadsAt10).as("threads added by 990 more readers").isLessThanOrEqualTo(4);
      runs.stop("alice", id).toCompletableFuture().join();
      String answer = end.get(30, TimeUnit.SECONDS).response().text();
      assertThat(answer).startsWith("s0 ");
      for (CompletableFuture<String> t : texts) {
        assertThat(t.get(60, TimeUnit.SECONDS)).isEqualTo(answer);
      }
    } finally {
      clientPool.shutdownNow();
    }
  }

  /** Opens {@code n} readers and waits until each got its first line; each future is its final text. */
  private List<CompletableFuture<String>> open(HttpClient http, String id, int n) throws Exception {
    CountDownLatch connected = new CountDownLatch(n);
    List<CompletableFuture<String>> texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TextCollector c = new TextCollector(connected);
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(server.base() + "/runs/" + id + "/events")).header("X-Owner", "alice").build();
      http.sendAsync(req, HttpResponse.BodyHandlers.fromLineSubscriber(c));
      texts.add(c.text);
    }
    assertThat(connected.await(60, TimeUnit.SECONDS)).as("all readers connected").isTrue();
    return texts;
  }

  /** Collects a stream's text without a thread: lines arrive on the HTTP client's pool. */
  private static final class TextCollector implements Flow.Subscriber<String> {
    final CompletableFuture<String> text = new CompletableFuture<>();
    private final CountDownLatch connected;
    private final StringBuilder sb = new StringBuilder();
    private String type = "";
    private boolean first = true;

    TextCollector(CountDownLatch connected) {
      this.connected = connected;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (first) {
        first = false;
        connected.countDown();
      }
      if (line.startsWith("event: ")) {
        type = line.substring(7);
      } else if (line.startsWith("data: ")) {
        SseClient.Event e = new SseClient.Event(0, type, line.substring(6));
        if (type.equals("text")) {
          sb.append(e.json().get("t").asText());
        } else if (type.equals("done")) {
          text.complete(sb.toString());
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      text.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      text.complete(sb.toString());
    }
  }
}
