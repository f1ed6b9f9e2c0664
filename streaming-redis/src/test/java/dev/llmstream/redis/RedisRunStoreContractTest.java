package dev.llmstream.redis;

import dev.llmstream.redis.testing.RedisTestServer;
import dev.llmstream.web.spi.RunStore;
import dev.llmstream.web.spi.RunStatus;
import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.testing.RunStoreContract;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.redis.RedisRunStore;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Redis store against the relay's {@link RunStore} contract, on a real {@code redis-server}. The three
 * tail tests are restated: Redis answers asynchronously, so they wait (bounded) for each batch instead of
 * expecting it on the calling thread; what they check is the same.
 */
class RedisRunStoreContractTest extends RunStoreContract {
  @RegisterExtension static final RedisTestServer REDIS = new RedisTestServer();

  @Override
  protected RunStore newStore(VirtualScheduler clock) {
    return RedisRunStore.builder(REDIS.uri())
        .keyPrefix("t" + UUID.randomUUID() + ":")
        .scheduler(clock)
        .wallClock(() -> 1_000_000L + TimeUnit.NANOSECONDS.toMillis(clock.nanoTime()))
        .build();
  }

  static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  @Override
  protected void aTailDeliversOneBatchPerRequestAndNothingUnasked() {
    join(store.create(run("r", "alice", "a"), 1));
    join(store.append("r", "p1", List.of(text(1), text(2), text(3))));
    Recorder rec = new Recorder();
    RunStore.Tail tail = store.tail("r", 1, 10, rec);
    tail.request();
    await(() -> rec.batches.size() == 1);
    assertThat(rec.batches.get(0)).extracting(RunEvent::id).containsExactly(2L, 3L);
    join(store.append("r", "p1", List.of(text(4))));
    join(store.append("r", "p1", List.of(text(5))));
    assertThat(rec.batches).hasSize(1); // not requested yet: it waits in the log
    tail.request();
    await(() -> rec.batches.size() == 2);
    assertThat(rec.batches.get(1)).extracting(RunEvent::id).containsExactly(4L, 5L);
    tail.request(); // nothing there: answered when the next event arrives
    join(store.finish("r", "p1", done(6), RunStatus.COMPLETED, Duration.ofMinutes(1)));
    await(() -> rec.batches.size() == 3);
    assertThat(rec.batches.get(2)).extracting(RunEvent::id).containsExactly(6L);
    tail.close();
    assertThat(rec.errors).isEmpty();
  }

  @Test
  @Override
  protected void aTailRespectsItsBatchSize() {
    join(store.create(run("r", "alice", "a"), 1));
    join(store.append("r", "p1", List.of(text(1), text(2), text(3), text(4), text(5))));
    Recorder rec = new Recorder();
    RunStore.Tail tail = store.tail("r", 0, 2, rec);
    for (int i = 1; i <= 3; i++) {
      tail.request();
      int n = i;
      await(() -> rec.batches.size() == n);
    }
    assertThat(rec.batches).extracting(List::size).containsExactly(2, 2, 1);
    tail.close();
  }

  @Test
  @Override
  protected void aFinishedRunIsDroppedAfterItsTtlAndItsWaitingTailsFail() {
    join(store.create(run("r", "alice", "a"), 1));
    join(store.create(run("s", "alice", "b"), 2));
    join(store.finish("r", "p1", done(1), RunStatus.CANCELLED, Duration.ofSeconds(60)));
    Recorder rec = new Recorder();
    RunStore.Tail tail = store.tail("r", 1, 10, rec);
    tail.request(); // waits: nothing after the done event
    clock.advance(Duration.ofSeconds(59));
    assertThat(join(store.find("r"))).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(join(store.find("r"))).isEmpty();
    await(() -> rec.errors.size() == 1);
    assertThat(join(store.find("s"))).isPresent(); // a running run does not expire
  }
}
