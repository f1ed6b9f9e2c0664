package dev.llmstream.redis;

import dev.llmstream.redis.testing.RedisTestServer;
import dev.llmstream.web.RunReader;
import dev.llmstream.web.testing.CollectingSink;
import dev.llmstream.web.testing.SseClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis faults mid-answer, with a producer on instance 0 and readers on both instances: the model call
 * goes on, and readers (resuming with the last event id as the browser client does when the relay closes
 * a stream on a store error) end with the exact answer, nothing repeated.
 */
class RedisFaultTest {
  @RegisterExtension static final RedisTestServer REDIS = new RedisTestServer();

  private RedisInstances cluster;

  @BeforeEach
  void start() {
    // the production lease (3 s): a reconnect's back-off must not pass for a dead producer
    cluster = new RedisInstances(REDIS.uri(), 2, 100, Duration.ofSeconds(3));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /**
   * What a browser does with {@code llmstream.js}: when the stream closes without a {@code done} event
   * (the relay closes it on a store error), reconnect with the last event id until the run ends.
   */
  private List<SseClient.Event> resumeToEnd(int instance, String owner, String id, CollectingSink first)
      throws Exception {
    List<SseClient.Event> all = new ArrayList<>(first.closed.get(60, TimeUnit.SECONDS));
    for (int j = 1; j < all.size(); j++) {
      assertThat(all.get(j).id()).isGreaterThan(all.get(j - 1).id());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (all.isEmpty() || !SseClient.last(all).type().equals("done")) {
      assertThat(System.nanoTime()).as("the run ends within 60 s").isLessThan(deadline);
      long after = all.isEmpty() ? 0 : SseClient.last(all).id();
      Optional<RunReader> reader = cluster.runs(instance).open(owner, id, after).toCompletableFuture()
          .exceptionally(e -> Optional.empty()).get(10, TimeUnit.SECONDS);
      if (reader.isPresent()) {
        CollectingSink sink = new CollectingSink();
        reader.get().start(sink);
        all.addAll(sink.closed.get(60, TimeUnit.SECONDS));
      }
    }
    return all;
  }

  private CollectingSink follow(int instance, String owner, String id) throws Exception {
    CollectingSink sink = new CollectingSink();
    cluster.runs(instance).open(owner, id, 0).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow().start(sink);
    return sink;
  }

  @Test
  void redisKilledAndRestartedEmptyMidAnswerLosesNothingAndTheModelCallGoesOn() throws Exception {
    String expected = RedisInstances.answer("restart");
    String id = cluster.runs(0).start("alice", RedisInstances.ask("restart")).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    CollectingSink onProducer = follow(0, "alice", id);
    CollectingSink onOther = follow(1, "alice", id);
    onOther.sawText.get(30, TimeUnit.SECONDS);
    int sent = cluster.fake.awaitChunks(0, 20, Duration.ofSeconds(30)).chunksSent();
    REDIS.kill(); // no persistence: everything in Redis is gone
    cluster.fake.awaitChunks(0, sent + 20, Duration.ofSeconds(30)); // the answer goes on meanwhile
    REDIS.restart();
    for (int i = 0; i < 2; i++) {
      List<SseClient.Event> events = resumeToEnd(i, "alice", id, i == 0 ? onProducer : onOther);
      for (int j = 1; j < events.size(); j++) {
        assertThat(events.get(j).id()).isGreaterThan(events.get(j - 1).id()); // nothing repeated
      }
      assertThat(SseClient.text(events)).isEqualTo(expected);
      assertThat(SseClient.last(events).json().get("state").asText()).isEqualTo("COMPLETED");
    }
    // one model call that ran to its end (the provider closes it after [DONE]): never failed or restarted
    assertThat(cluster.fake.awaitEnded(0, Duration.ofSeconds(10)).chunksSent()).isGreaterThan(RedisInstances.TOKENS);
    assertThat(cluster.fake.requests()).hasSize(1);
    // and a reader arriving later, on either instance, reads it all from Redis
    assertThat(SseClient.text(RedisRelayTest.read(cluster.runs(1), "alice", id, 0))).isEqualTo(expected);
  }

  @Test
  void droppedConnectionsMidAnswerLoseNothing() throws Exception {
    String expected = RedisInstances.answer("drop");
    String id = cluster.runs(0).start("bob", RedisInstances.ask("drop")).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    CollectingSink onOther = follow(1, "bob", id);
    onOther.sawText.get(30, TimeUnit.SECONDS);
    RedisClient admin = RedisClient.create(REDIS.uri());
    try (StatefulRedisConnection<String, String> c = admin.connect()) {
      for (int i = 0; i < 3; i++) {
        int sent = cluster.fake.awaitChunks(0, 10 * (i + 2), Duration.ofSeconds(30)).chunksSent();
        assertThat(sent).isPositive();
        c.sync().clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme()); // every other client
        c.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
      }
    } finally {
      admin.shutdown();
    }
    List<SseClient.Event> events = resumeToEnd(1, "bob", id, onOther);
    assertThat(SseClient.text(events)).isEqualTo(expected);
    assertThat(SseClient.last(events).json().get("state").asText()).isEqualTo("COMPLETED");
    // one model call that ran to its end (the provider closes it after [DONE]): never failed or restarted
    assertThat(cluster.fake.awaitEnded(0, Duration.ofSeconds(10)).chunksSent()).isGreaterThan(RedisInstances.TOKENS);
    assertThat(cluster.fake.requests()).hasSize(1);
  }

  @Test
  void readersOfARedisThatStaysDownAreClosedWithoutDoneAndResumeWhenItIsBack() throws Exception {
    String expected = RedisInstances.answer("outage");
    String id = cluster.runs(0).start("carol", RedisInstances.ask("outage")).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    CollectingSink onOther = follow(1, "carol", id);
    onOther.sawText.get(30, TimeUnit.SECONDS);
    REDIS.kill();
    // no Redis for longer than the readers' outage limit: the relay ends the stream (no hang, no done)
    List<SseClient.Event> cut = onOther.closed.get(30, TimeUnit.SECONDS);
    assertThat(cut).noneMatch(e -> e.type().equals("done"));
    assertThat(cluster.fake.requests()).hasSize(1);
    REDIS.restart();
    List<SseClient.Event> events = resumeToEnd(1, "carol", id, onOther); // as the browser: Last-Event-ID
    assertThat(events).startsWith(cut.toArray(SseClient.Event[]::new));
    assertThat(SseClient.text(events)).isEqualTo(expected);
    assertThat(SseClient.last(events).json().get("state").asText()).isEqualTo("COMPLETED");
    assertThat(cluster.fake.requests()).as("the model call went on through the outage").hasSize(1);
  }
}
