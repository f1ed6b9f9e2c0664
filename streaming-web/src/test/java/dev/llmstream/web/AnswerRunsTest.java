package dev.llmstream.web;

import dev.llmstream.web.testing.CollectingSink;
import dev.llmstream.web.testing.SseClient;
import static dev.llmstream.web.RelayFixture.ask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.VirtualScheduler;
import dev.llmstream.web.spi.RunStoreException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs without HTTP: ids, owner limits, the log limit, the deadline, the TTL, shutdown. */
class AnswerRunsTest {
  private final RelayFixture upstream = new RelayFixture();
  private AnswerRuns runs;

  @AfterEach
  void stop() {
    if (runs != null) {
      runs.close();
    }
    upstream.close();
  }

  private static RunOptions.Builder withEnd(CompletableFuture<RunResult> end) {
    return RunOptions.builder().listener(end::complete);
  }

  private static JsonNode done(List<SseClient.Event> events) {
    SseClient.Event last = SseClient.last(events);
    assertThat(last.type()).isEqualTo("done");
    return last.json();
  }

  @Test
  void runIdsAre128RandomBitsUrlSafe() {
    runs = AnswerRuns.builder(upstream.provider).build();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      String id = runs.start("owner-" + i, ask(RelayFixture.LONG)).toCompletableFuture().join();
      assertThat(id).matches("[A-Za-z0-9_-]{22}");
      ids.add(id);
    }
    assertThat(ids).hasSize(50);
  }

  @Test
  void anOwnerGetsOneRunningAnswerPerSlotAndALimitOverall() {
    runs = AnswerRuns.builder(upstream.provider).maxRunningPerOwner(2).build();
    runs.start("alice", ask(RelayFixture.SLOW), RunOptions.builder().slot("a").build()).toCompletableFuture().join();
    assertThatThrownBy(() -> runs.start("alice", ask("x"), RunOptions.builder().slot("a").build()).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(RunStoreException.class, e -> assertThat(e.reason()).isEqualTo(RunStoreException.Reason.SLOT_BUSY))
        .hasMessageContaining("already running");
    runs.start("alice", ask(RelayFixture.SLOW), RunOptions.builder().slot("b").build()).toCompletableFuture().join();
    assertThatThrownBy(() -> runs.start("alice", ask("x"), RunOptions.builder().slot("c").build()).toCompletableFuture().join())
        .cause()
        .isInstanceOfSatisfying(RunStoreException.class, e -> assertThat(e.reason()).isEqualTo(RunStoreException.Reason.OWNER_LIMIT))
        .hasMessageContaining("limit 2");
    assertThat(runs.start("bob", ask(RelayFixture.LONG)).toCompletableFuture().join()).isNotEmpty();
  }

  @Test
  void aRunThatWouldPassItsLogLimitEndsFailedWithThePartialAnswer() throws Exception {
    runs = AnswerRuns.builder(upstream.provider).maxEventsPerRun(50).build();
    CompletableFuture<RunResult> end = new CompletableFuture<>();
    RunOptions options = withEnd(end).ui(RelayFixture.eachToken().ui()).build();
    String id = runs.start("alice", ask(RelayFixture.LONG), options).toCompletableFuture().join();
    List<SseClient.Event> events = CollectingSink.readAll(runs, "alice", id);
    assertThat(events.size()).isLessThanOrEqualTo(50);
    JsonNode done = done(events);
    assertThat(done.get("state").asText()).isEqualTo("FAILED");
    assertThat(done.get("error").get("type").asText()).isEqualTo("LIMIT_EXCEEDED");
    assertThat(done.get("error").get("message").asText()).contains("limit of 50 events");
    String partial = SseClient.text(events);
    assertThat(partial).isNotEmpty();
    assertThat(RelayFixture.expected(120)).startsWith(partial).isNotEqualTo(partial);
    assertThat(end.get(10, TimeUnit.SECONDS).response().text()).isEqualTo(partial);
  }

  @Test
  void theDeadlineEndsTheRunAsATimeoutOnTheInjectedClock() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    runs = AnswerRuns.builder(upstream.provider).scheduler(clock).build();
    CompletableFuture<RunResult> end = new CompletableFuture<>();
    String id =
        runs.start("alice", ask(RelayFixture.SLOW), withEnd(end).deadline(Duration.ofSeconds(10)).build())
            .toCompletableFuture()
            .join();
    CollectingSink.awaitText(runs, "alice", id);
    clock.advance(Duration.ofSeconds(9));
    assertThat(end).isNotDone();
    clock.advance(Duration.ofSeconds(1));
    RunResult r = end.get(10, TimeUnit.SECONDS);
    assertThat(r.error()).isNotNull();
    assertThat(r.error().kind()).isEqualTo(dev.llmstream.core.ErrorKind.TIMEOUT);
    assertThat(r.response().text()).startsWith("s0 ");
    JsonNode done = done(CollectingSink.readAll(runs, "alice", id));
    assertThat(done.get("state").asText()).isEqualTo("FAILED");
    assertThat(done.get("error").get("type").asText()).isEqualTo("TIMEOUT");
    assertThat(done.get("error").get("retryable").asBoolean()).isTrue();
    assertThat(upstream.fake.awaitEnded(0, Duration.ofSeconds(10)).ending())
        .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
  }

  @Test
  void aFinishedRunIsDroppedAfterItsTtl() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    runs = AnswerRuns.builder(upstream.provider).scheduler(clock).finishedTtl(Duration.ofMinutes(5)).build();
    CompletableFuture<RunResult> end = new CompletableFuture<>();
    String id = runs.start("alice", ask(RelayFixture.LONG), withEnd(end).build()).toCompletableFuture().join();
    end.get(30, TimeUnit.SECONDS);
    CollectingSink.readAll(runs, "alice", id); // the done event is there: the run is finished
    clock.advance(Duration.ofMinutes(4));
    assertThat(SseClient.text(CollectingSink.readAll(runs, "alice", id))).isEqualTo(RelayFixture.expected(120));
    clock.advance(Duration.ofMinutes(1));
    assertThat(runs.find("alice", id).toCompletableFuture().join()).isEmpty();
    assertThat(runs.open("alice", id, 0).toCompletableFuture().join()).isEmpty();
    assertThat(runs.stop("alice", id).toCompletableFuture().join()).isEqualTo(StopResult.NOT_FOUND);
  }

  @Test
  void closingStopsRunningAnswersAsShutdown() throws Exception {
    runs = AnswerRuns.builder(upstream.provider).build();
    CompletableFuture<RunResult> end = new CompletableFuture<>();
    runs.start("alice", ask(RelayFixture.SLOW), withEnd(end).build()).toCompletableFuture().join();
    upstream.fake.awaitChunks(0, 2, Duration.ofSeconds(30));
    assertThat(runs.producing()).isEqualTo(1);
    runs.close();
    RunResult r = end.get(10, TimeUnit.SECONDS);
    assertThat(r.stoppedBy()).isEqualTo("shutdown");
    assertThat(runs.producing()).isZero();
    assertThat(upstream.fake.awaitEnded(0, Duration.ofSeconds(10)).ending())
        .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
  }

  @Test
  void aProducerThatLostItsLeaseStopsWithoutWritingToTheRun() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    java.util.concurrent.atomic.AtomicBoolean otherInstanceHoldsIt = new java.util.concurrent.atomic.AtomicBoolean();
    ForwardingRunStore store =
        new ForwardingRunStore(dev.llmstream.web.spi.RunStore.inMemory(clock)) {
          @Override
          public java.util.concurrent.CompletionStage<Boolean> claim(String runId, String producerId, Duration lease) {
            return otherInstanceHoldsIt.get()
                ? CompletableFuture.completedFuture(false)
                : super.claim(runId, producerId, lease);
          }
        };
    runs = AnswerRuns.builder(upstream.provider).store(store).scheduler(clock).lease(Duration.ofSeconds(3)).build();
    CompletableFuture<RunResult> end = new CompletableFuture<>();
    String id = runs.start("alice", ask(RelayFixture.SLOW), withEnd(end).build()).toCompletableFuture().join();
    upstream.fake.awaitChunks(0, 3, Duration.ofSeconds(30));
    otherInstanceHoldsIt.set(true);
    clock.advance(Duration.ofSeconds(1)); // the next renewal fails
    assertThat(upstream.fake.awaitEnded(0, Duration.ofSeconds(10)).ending())
        .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (runs.producing() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // the cancelled answer reaches the producer's sink just after the close
    }
    assertThat(runs.producing()).isZero();
    assertThat(end).isNotDone(); // the run goes on elsewhere: no end, no done event from here
    assertThat(store.find(id).toCompletableFuture().join().orElseThrow().status())
        .isEqualTo(dev.llmstream.web.spi.RunStatus.RUNNING);
    assertThat(store.read(id, 0, 100_000).toCompletableFuture().join()).noneMatch(dev.llmstream.web.spi.RunEvent::isDone);
    store.close();
  }

  @Test
  void anotherInstanceTakesOverARunWhoseProducerDiedAndReadersSeeOneContinuousAnswer() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    dev.llmstream.web.spi.RunStore shared = dev.llmstream.web.spi.RunStore.inMemory(clock);
    java.util.concurrent.atomic.AtomicBoolean aDied = new java.util.concurrent.atomic.AtomicBoolean();
    ForwardingRunStore seenByA =
        new ForwardingRunStore(shared) {
          @Override
          public java.util.concurrent.CompletionStage<Boolean> claim(String runId, String producerId, Duration lease) {
            return aDied.get() ? CompletableFuture.completedFuture(false) : super.claim(runId, producerId, lease);
          }
        };
    AnswerRuns a = AnswerRuns.builder(upstream.provider).store(seenByA).scheduler(clock).lease(Duration.ofSeconds(3)).build();
    AnswerRuns b = AnswerRuns.builder(upstream.provider).store(shared).scheduler(clock).lease(Duration.ofSeconds(3)).build();
    AnswerRuns c = AnswerRuns.builder(upstream.provider).store(shared).scheduler(clock).lease(Duration.ofSeconds(3)).build();
    try {
      String id = a.start("alice", ask(RelayFixture.RESUMABLE)).toCompletableFuture().join();
      CollectingSink.awaitText(a, "alice", id);
      aDied.set(true); // from now on A renews nothing and writes nothing (as if killed)
      clock.advance(Duration.ofSeconds(1));
      assertThat(b.takeOver(id).toCompletableFuture().join()).as("A's lease is still valid").isFalse();
      clock.advance(Duration.ofSeconds(2)); // the lease lapses
      assertThat(b.takeOver(id).toCompletableFuture().join()).isTrue();
      assertThat(c.takeOver(id).toCompletableFuture().join()).as("one instance wins").isFalse();
      List<SseClient.Event> events = CollectingSink.readAll(b, "alice", id);
      assertThat(SseClient.text(events)).isEqualTo(RelayFixture.resumable());
      assertThat(events).extracting(SseClient.Event::type).contains("recovering");
      assertThat(done(events).get("state").asText()).isEqualTo("COMPLETED");
      for (int i = 1; i < events.size(); i++) {
        assertThat(events.get(i).id()).isGreaterThan(events.get(i - 1).id());
      }
      String prefill = upstream.fake.requests().get(1).assistantPrefill();
      assertThat(prefill).isNotEmpty();
      assertThat(RelayFixture.resumable()).startsWith(prefill);
      assertThat(upstream.fake.awaitEnded(0, Duration.ofSeconds(10)).ending())
          .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    } finally {
      a.close();
      b.close();
      c.close();
      shared.close();
    }
  }
}
