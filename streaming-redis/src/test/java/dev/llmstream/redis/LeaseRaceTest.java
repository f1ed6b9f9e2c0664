package dev.llmstream.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.redis.testing.RedisTestServer;
import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunRecord;
import dev.llmstream.web.spi.RunStatus;
import dev.llmstream.web.spi.RunStore;
import dev.llmstream.web.spi.RunStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several instances (each its own store and connections) race for lapsed leases on a real Redis: exactly one
 * wins each time, and only the winner's writes land (fencing), so two instances never produce one run.
 */
class LeaseRaceTest {
  @RegisterExtension static final RedisTestServer REDIS = new RedisTestServer();
  private static final int INSTANCES = 6;

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final List<RedisRunStore> stores = new ArrayList<>();
  private ExecutorService pool;

  @BeforeEach
  void open() {
    String prefix = "race" + UUID.randomUUID() + ":";
    for (int i = 0; i < INSTANCES; i++) {
      stores.add(RedisRunStore.builder(REDIS.uri()).keyPrefix(prefix).wallClock(now::get).build());
    }
    pool = Executors.newFixedThreadPool(INSTANCES);
  }

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    stores.forEach(RunStore::close);
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void exactlyOneInstanceWinsEachLapsedLeaseAndOnlyItsWritesLand() throws Exception {
    String run = "race-run";
    join(stores.get(0).create(new RunRecord(run, "alice", "a", RunStatus.RUNNING, 0, Map.of()), 1));
    long nextId = 1;
    String holder = "i0";
    assertThat(join(stores.get(0).claim(run, holder, Duration.ofSeconds(3)))).isTrue();
    for (int round = 0; round < 100; round++) {
      now.addAndGet(3_000); // the holder's lease lapses
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> claims = new ArrayList<>();
      for (int i = 0; i < INSTANCES; i++) {
        RedisRunStore s = stores.get(i);
        String me = "i" + i + "-r" + round;
        claims.add(pool.submit(() -> {
          go.await();
          return s.claim(run, me, Duration.ofSeconds(3)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }));
      }
      go.countDown();
      String winner = null;
      for (int i = 0; i < INSTANCES; i++) {
        if (claims.get(i).get(10, TimeUnit.SECONDS)) {
          assertThat(winner).as("round %d: a second winner", round).isNull();
          winner = "i" + i + "-r" + round;
        }
      }
      assertThat(winner).as("round %d: nobody won", round).isNotNull();
      // the old holder and every loser are fenced off; the winner writes
      String old = holder;
      CompletableFuture<Void> stale = stores.get(round % INSTANCES)
          .append(run, old, List.of(new RunEvent(nextId, RunEvent.TEXT, "{\"t\":\"stale\"}")))
          .toCompletableFuture();
      assertThat(stale).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
          .havingRootCause().isInstanceOfSatisfying(RunStoreException.class,
              e -> assertThat(e.reason()).isEqualTo(RunStoreException.Reason.LEASE_LOST));
      join(stores.get((round + 1) % INSTANCES)
          .append(run, winner, List.of(new RunEvent(nextId, RunEvent.TEXT, "{\"t\":\"" + round + "\"}"))));
      nextId++;
      holder = winner;
    }
    List<RunEvent> log = join(stores.get(0).read(run, 0, 1000));
    assertThat(log).hasSize(100).noneMatch(e -> e.data().contains("stale"));
  }
}
