package dev.llmstream.web;

import dev.llmstream.web.testing.CollectingSink;
import dev.llmstream.web.testing.SseClient;
import static dev.llmstream.web.RelayFixture.ask;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.VirtualScheduler;
import dev.llmstream.web.testing.SseClient.Event;
import dev.llmstream.web.testing.SseClient.Result;
import dev.llmstream.web.spi.RunStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay over real HTTP on the JDK adapter, against the testkit's fake upstream. */
class JdkRelayTest {
  private final RelayFixture upstream = new RelayFixture();
  private final HttpClient http = HttpClient.newHttpClient();
  private JdkRelayServer server;
  private SseClient client;

  private AnswerRuns start(UnaryOperator<AnswerRuns.Builder> config) throws Exception {
    return start(config, 4);
  }

  private AnswerRuns start(UnaryOperator<AnswerRuns.Builder> config, int writerThreads) throws Exception {
    AnswerRuns runs = config.apply(AnswerRuns.builder(upstream.provider)).build();
    server = new JdkRelayServer(runs, writerThreads);
    client = new SseClient(http, server.base());
    return runs;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    upstream.close();
  }

  private static void assertIncreasing(List<Event> events) {
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).id()).as("ids increase").isGreaterThan(events.get(i - 1).id());
    }
  }

  @Test
  void resumeAfterADroppedConnectionAtEveryEventPositionLosesAndRepeatsNothing() throws Exception {
    AnswerRuns runs = start(b -> b.maxBatchEvents(1)); // one log event per wire event: every position
    String id = runs.start("alice", ask(RelayFixture.LONG), RelayFixture.eachToken()).toCompletableFuture().join();
    Result full = client.readAll("alice", id, 0);
    String expected = RelayFixture.expected(120);
    assertThat(full.sawDone()).isTrue();
    assertThat(full.events()).hasSizeGreaterThanOrEqualTo(200);
    assertThat(SseClient.text(full.events())).isEqualTo(expected);
    assertIncreasing(full.events());
    List<Long> allIds = full.events().stream().map(Event::id).toList();
    for (int k = 1; k < full.events().size(); k++) {
      Result first = client.read("alice", id, 0, k); // read k events, then drop the connection
      Result rest = client.readAll("alice", id, SseClient.last(first.events()).id());
      List<Event> joined = new ArrayList<>(first.events());
      joined.addAll(rest.events());
      assertThat(joined).extracting(Event::id).as("position %d", k).isEqualTo(allIds);
      assertThat(SseClient.text(joined)).as("position %d", k).isEqualTo(expected);
    }
  }

  @Test
  void aConnectionDroppedWhileTheAnswerStreamsResumesExactly() throws Exception {
    AnswerRuns runs = start(b -> b);
    String id = runs.start("alice", ask(RelayFixture.MEDIUM), RelayFixture.eachToken()).toCompletableFuture().join();
    List<Event> got = new ArrayList<>();
    Result r = client.read("alice", id, 0, 5);
    got.addAll(r.events());
    while (!r.sawDone()) {
      assertThat(runs.find("alice", id).toCompletableFuture().join()).isPresent();
      r = client.read("alice", id, SseClient.last(got).id(), 7);
      got.addAll(r.events());
    }
    assertIncreasing(got);
    assertThat(SseClient.text(got)).isEqualTo(RelayFixture.expected(300));
    assertThat(SseClient.last(got).json().get("state").asText()).isEqualTo("COMPLETED");
  }

  @Test
  void twoReadersOfOneRunBothGetTheWholeAnswer() throws Exception {
    AnswerRuns runs = start(b -> b);
    String id = runs.start("alice", ask(RelayFixture.MEDIUM)).toCompletableFuture().join();
    CompletableFuture<Result> a = CompletableFuture.supplyAsync(() -> readAll("alice", id));
    CompletableFuture<Result> b = CompletableFuture.supplyAsync(() -> readAll("alice", id));
    for (Result r : List.of(a.get(60, TimeUnit.SECONDS), b.get(60, TimeUnit.SECONDS))) {
      assertThat(r.sawDone()).isTrue();
      assertThat(SseClient.text(r.events())).isEqualTo(RelayFixture.expected(300));
    }
    assertThat(upstream.fake.requests()).hasSize(1); // one model call, two readers
  }

  private Result readAll(String owner, String id) {
    try {
      return client.readAll(owner, id, 0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aStrangerCannotReadStopOrLearnThatARunExists() throws Exception {
    AnswerRuns runs = start(b -> b);
    String id = runs.start("alice", ask(RelayFixture.SLOW)).toCompletableFuture().join();
    upstream.fake.awaitChunks(0, 3, Duration.ofSeconds(30));
    Result unknown = client.readAll("bob", "AAAAAAAAAAAAAAAAAAAAAA", 0);
    for (String stranger : new String[] {"bob", null}) {
      assertThat(client.readAll(stranger, id, 0).status()).isEqualTo(404).isEqualTo(unknown.status());
      assertThat(post("/runs/" + id + "/stop", stranger).statusCode()).isEqualTo(404);
    }
    assertThat(runs.find("bob", id).toCompletableFuture().join()).isEmpty();
    assertThat(runs.stop("bob", id).toCompletableFuture().join()).isEqualTo(StopResult.NOT_FOUND);
    // untouched: still running, its model call still open
    assertThat(runs.find("alice", id).toCompletableFuture().join().orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(upstream.fake.openConnections()).isEqualTo(1);
    assertThat(runs.readers()).isZero();
  }

  @Test
  void stopEndsTheRunCancelledAndClosesTheModelCall() throws Exception {
    AnswerRuns runs = start(b -> b);
    String id = runs.start("alice", ask(RelayFixture.SLOW)).toCompletableFuture().join();
    CollectingSink.awaitText(runs, "alice", id);
    HttpResponse<String> stop = post("/runs/" + id + "/stop", "alice");
    assertThat(stop.statusCode()).isEqualTo(200);
    assertThat(stop.body()).isEqualTo("STOPPING");
    Result r = client.readAll("alice", id, 0);
    Event done = SseClient.last(r.events());
    assertThat(done.type()).isEqualTo("done");
    assertThat(done.json().get("state").asText()).isEqualTo("CANCELLED");
    assertThat(done.json().get("stoppedBy").asText()).isEqualTo("user");
    assertThat(SseClient.text(r.events())).startsWith("s0 ");
    assertThat(upstream.fake.awaitEnded(0, Duration.ofSeconds(10)).ending())
        .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    assertThat(post("/runs/" + id + "/stop", "alice").body()).isEqualTo("ALREADY_FINISHED");
  }

  private HttpResponse<String> post(String path, String owner) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).POST(HttpRequest.BodyPublishers.noBody());
    if (owner != null) {
      b.header("X-Owner", owner);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Writes on one thread, so that a task queued after them runs once they are done. */
  private void awaitWrites() throws Exception {
    server.writers.submit(() -> {}).get(10, TimeUnit.SECONDS);
  }

  /** Steps the virtual clock by heartbeats until the relay has seen the dropped reader. */
  private void heartbeatUntilNoReader(AnswerRuns runs, VirtualScheduler clock) throws Exception {
    for (int i = 0; i < 6 && runs.readers() > 0; i++) {
      clock.advance(Duration.ofSeconds(15));
      awaitWrites();
      awaitWrites();
      // The failed write's reader-count decrement (which starts the grace on the virtual clock) may land
      // just after the writes settle: wait for it, bounded, before moving the clock again, so the grace
      // is known to count from this heartbeat and not from one 15 s later.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (runs.readers() > 0 && System.nanoTime() < until) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
    assertThat(runs.readers()).as("the heartbeat detected the closed connection").isZero();
  }

  @Test
  void aRunWhoseLastReaderLeftIsStoppedAfterTheGracePeriod() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    AnswerRuns runs = start(b -> b.scheduler(clock).readerGrace(Duration.ofSeconds(30)), 1);
    String id = runs.start("alice", ask(RelayFixture.SLOW)).toCompletableFuture().join();
    client.read("alice", id, 0, 3); // then the tab is closed
    heartbeatUntilNoReader(runs, clock);
    clock.advance(Duration.ofSeconds(29));
    assertThat(runs.find("alice", id).toCompletableFuture().join().orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    clock.advance(Duration.ofSeconds(1));
    assertThat(upstream.fake.awaitEnded(0, Duration.ofSeconds(10)).ending())
        .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    Event done = SseClient.last(client.readAll("alice", id, 0).events());
    assertThat(done.json().get("state").asText()).isEqualTo("CANCELLED");
    assertThat(done.json().get("stoppedBy").asText()).isEqualTo("abandoned");
  }

  @Test
  void aReaderThatComesBackWithinTheGraceKeepsTheRunGoing() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    AnswerRuns runs = start(b -> b.scheduler(clock).readerGrace(Duration.ofSeconds(30)), 1);
    String id = runs.start("alice", ask(RelayFixture.SLOW)).toCompletableFuture().join();
    Result before = client.read("alice", id, 0, 3); // a reload: the old page goes away...
    heartbeatUntilNoReader(runs, clock);
    clock.advance(Duration.ofSeconds(20));
    CompletableFuture<Result> back = // ...and the new one resumes within the grace
        CompletableFuture.supplyAsync(() -> {
          try {
            return client.readAll("alice", id, SseClient.last(before.events()).id());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    for (int i = 0; i < 1000 && runs.readers() == 0; i++) {
      upstream.fake.awaitChunks(0, 10 + i, Duration.ofSeconds(10)); // time passes upstream meanwhile
    }
    assertThat(runs.readers()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(60));
    awaitWrites();
    assertThat(runs.find("alice", id).toCompletableFuture().join().orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(upstream.fake.openConnections()).isEqualTo(1);
    runs.stop("alice", id).toCompletableFuture().join();
    Result after = back.get(30, TimeUnit.SECONDS);
    assertThat(SseClient.last(after.events()).json().get("stoppedBy").asText()).isEqualTo("user");
    List<Event> joined = new ArrayList<>(before.events());
    joined.addAll(after.events());
    assertIncreasing(joined);
    assertThat(SseClient.text(joined)).startsWith("s0 ");
    assertThat(RelayFixture.slowText()).startsWith(SseClient.text(joined));
  }

  @Test
  void withAZeroGraceTheRunStopsAsSoonAsItsLastReaderIsGone() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    AnswerRuns runs = start(b -> b.scheduler(clock).readerGrace(Duration.ZERO), 1);
    String id = runs.start("alice", ask(RelayFixture.SLOW)).toCompletableFuture().join();
    clock.advance(Duration.ofMinutes(5)); // no reader yet: a zero grace only counts from a leave
    assertThat(runs.find("alice", id).toCompletableFuture().join().orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    client.read("alice", id, 0, 3);
    heartbeatUntilNoReader(runs, clock);
    assertThat(upstream.fake.awaitEnded(0, Duration.ofSeconds(10)).ending())
        .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    assertThat(SseClient.last(client.readAll("alice", id, 0).events()).json().get("stoppedBy").asText())
        .isEqualTo("abandoned");
  }

  @Test
  void keptWithoutReadersARunGoesOnWhenItsReaderLeaves() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    AnswerRuns runs = start(b -> b.scheduler(clock).keepRunsWithoutReaders(), 1);
    String id = runs.start("alice", ask(RelayFixture.SLOW)).toCompletableFuture().join();
    client.read("alice", id, 0, 3);
    heartbeatUntilNoReader(runs, clock);
    clock.advance(Duration.ofMinutes(10));
    assertThat(runs.find("alice", id).toCompletableFuture().join().orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(upstream.fake.openConnections()).isEqualTo(1);
  }
}
