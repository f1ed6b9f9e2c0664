package dev.llmstream.web.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.web.spi.RunStoreException;
import dev.llmstream.web.spi.RunStatus;
import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunRecord;
import dev.llmstream.web.spi.RunStore;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link RunStore} owes the relay. Extend it with a factory to check another store
 * (a Redis one) against the same rules; expiry and leases run on the given virtual clock.
 */
public abstract class RunStoreContract {
  protected final VirtualScheduler clock = new VirtualScheduler();
  protected RunStore store;

  protected abstract RunStore newStore(VirtualScheduler clock);

  @BeforeEach
  protected void open() {
    store = newStore(clock);
  }

  @AfterEach
  protected void close() {
    store.close();
  }

  public static <T> T join(CompletionStage<T> s) {
    try {
      return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new CompletionException(e.getCause() == null ? e : e.getCause());
    }
  }

  public static RunRecord run(String id, String owner, String slot) {
    return new RunRecord(id, owner, slot, RunStatus.RUNNING, 0, Map.of("k", "v"));
  }

  public static RunEvent text(long id) {
    return new RunEvent(id, RunEvent.TEXT, "{\"t\":\"" + id + "\"}");
  }

  public static RunEvent done(long id) {
    return new RunEvent(id, RunEvent.DONE, "{\"state\":\"COMPLETED\"}");
  }

  private static RunStoreException.Reason reasonOf(Throwable t) {
    Throwable c = t;
    while (c != null && !(c instanceof RunStoreException)) {
      c = c.getCause();
    }
    assertThat(c).as("a RunStoreException in " + t).isNotNull();
    return ((RunStoreException) c).reason();
  }

  @Test
  protected void createEnforcesOneRunningRunPerSlotAndTheOwnerLimit() {
    join(store.create(run("r1", "alice", "a"), 2));
    assertThatThrownBy(() -> join(store.create(run("r2", "alice", "a"), 2)))
        .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(RunStoreException.Reason.SLOT_BUSY));
    join(store.create(run("r3", "alice", "b"), 2));
    assertThatThrownBy(() -> join(store.create(run("r4", "alice", "c"), 2)))
        .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(RunStoreException.Reason.OWNER_LIMIT));
    assertThatThrownBy(() -> join(store.create(run("r1", "bob", "a"), 2)))
        .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(RunStoreException.Reason.DUPLICATE_ID));
    join(store.finish("r1", "p1", done(1), RunStatus.COMPLETED, Duration.ofMinutes(1)));
    join(store.create(run("r5", "alice", "a"), 2)); // the slot and a place are free again
    assertThat(join(store.find("r1")).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(join(store.find("r5")).orElseThrow().attributes()).containsEntry("k", "v");
  }

  @Test
  protected void appendKeepsOrderAndRefusesOldIdsAndEventsAfterTheEnd() {
    join(store.create(run("r", "alice", "a"), 1));
    join(store.append("r", "p1", List.of(text(1), text(2))));
    join(store.append("r", "p1", List.of(text(3))));
    assertThatThrownBy(() -> join(store.append("r", "p1", List.of(text(3)))))
        .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(RunStoreException.Reason.OUT_OF_ORDER));
    assertThat(join(store.read("r", 1, 10))).extracting(RunEvent::id).containsExactly(2L, 3L);
    assertThat(join(store.read("r", 0, 2))).extracting(RunEvent::id).containsExactly(1L, 2L);
    assertThat(join(store.read("r", 3, 10))).isEmpty();
    join(store.finish("r", "p1", done(4), RunStatus.COMPLETED, Duration.ofMinutes(1)));
    assertThatThrownBy(() -> join(store.append("r", "p1", List.of(text(5)))))
        .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(RunStoreException.Reason.OUT_OF_ORDER));
    assertThatThrownBy(() -> join(store.read("nope", 0, 1)))
        .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(RunStoreException.Reason.UNKNOWN_RUN));
  }

  /** Records tail callbacks. */
  public static final class Recorder implements RunStore.TailListener {
    public final List<List<RunEvent>> batches = new CopyOnWriteArrayList<>();
    public final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onEvents(List<RunEvent> events) {
      batches.add(new ArrayList<>(events));
    }

    @Override
    public void onError(Throwable error) {
      errors.add(error);
    }
  }

  @Test
  protected void aTailDeliversOneBatchPerRequestAndNothingUnasked() {
    join(store.create(run("r", "alice", "a"), 1));
    join(store.append("r", "p1", List.of(text(1), text(2), text(3))));
    Recorder rec = new Recorder();
    RunStore.Tail tail = store.tail("r", 1, 10, rec);
    assertThat(rec.batches).isEmpty(); // nothing before a request
    tail.request();
    assertThat(rec.batches).hasSize(1);
    assertThat(rec.batches.get(0)).extracting(RunEvent::id).containsExactly(2L, 3L);
    join(store.append("r", "p1", List.of(text(4))));
    assertThat(rec.batches).hasSize(1); // not requested yet: it waits in the log
    join(store.append("r", "p1", List.of(text(5))));
    tail.request();
    assertThat(rec.batches.get(1)).extracting(RunEvent::id).containsExactly(4L, 5L);
    tail.request(); // nothing there: answered when the next event arrives
    join(store.finish("r", "p1", done(6), RunStatus.COMPLETED, Duration.ofMinutes(1)));
    assertThat(rec.batches.get(2)).extracting(RunEvent::id).containsExactly(6L);
    tail.close();
    assertThat(rec.errors).isEmpty();
  }

  @Test
  protected void aTailRespectsItsBatchSize() {
    join(store.create(run("r", "alice", "a"), 1));
    join(store.append("r", "p1", List.of(text(1), text(2), text(3), text(4), text(5))));
    Recorder rec = new Recorder();
    RunStore.Tail tail = store.tail("r", 0, 2, rec);
    tail.request();
    tail.request();
    tail.request();
    assertThat(rec.batches).extracting(List::size).containsExactly(2, 2, 1);
    tail.close();
  }

  @Test
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
    assertThat(rec.errors).hasSize(1);
    assertThat(join(store.find("s"))).isPresent(); // a running run does not expire
  }

  @Test
  protected void aStopRequestReachesTheProducerOnceAndNotAfterTheEnd() {
    join(store.create(run("r", "alice", "a"), 1));
    List<String> heard = new CopyOnWriteArrayList<>();
    store.onStop("r", heard::add);
    assertThat(join(store.requestStop("r", "user"))).isTrue();
    assertThat(join(store.requestStop("r", "abandoned"))).isTrue();
    assertThat(heard).containsExactly("user");
    List<String> late = new CopyOnWriteArrayList<>();
    store.onStop("r", late::add); // registered after the request: told at once
    assertThat(late).containsExactly("user");
    join(store.finish("r", "p1", done(1), RunStatus.CANCELLED, Duration.ofMinutes(1)));
    assertThat(join(store.requestStop("r", "user"))).isFalse();
  }

  @Test
  protected void theLeaseHasOneHolderUntilItLapses() {
    join(store.create(run("r", "alice", "a"), 1));
    assertThat(join(store.claim("r", "i1", Duration.ofSeconds(3)))).isTrue();
    assertThat(join(store.claim("r", "i2", Duration.ofSeconds(3)))).isFalse();
    clock.advance(Duration.ofSeconds(2));
    assertThat(join(store.claim("r", "i1", Duration.ofSeconds(3)))).isTrue(); // renewed
    clock.advance(Duration.ofSeconds(2));
    assertThat(join(store.claim("r", "i2", Duration.ofSeconds(3)))).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(join(store.claim("r", "i2", Duration.ofSeconds(3)))).isTrue(); // lapsed: taken over
    assertThat(join(store.claim("r", "i1", Duration.ofSeconds(3)))).isFalse();
  }

  @Test
  protected void readersAreCountedOverAllInstances() {
    join(store.create(run("r", "alice", "a"), 1));
    assertThat(join(store.addReaders("r", 1))).isEqualTo(1);
    assertThat(join(store.addReaders("r", 1))).isEqualTo(2);
    assertThat(join(store.addReaders("r", -1))).isEqualTo(1);
    assertThat(join(store.addReaders("r", 0))).isEqualTo(1);
  }

  @Test
  protected void onlyTheLeaseHolderMayAppendOrFinish() {
    join(store.create(run("r", "alice", "a"), 1));
    join(store.append("r", "p1", List.of(text(1)))); // nobody claimed it yet: accepted
    assertThat(join(store.claim("r", "p1", Duration.ofSeconds(3)))).isTrue();
    join(store.append("r", "p1", List.of(text(2))));
    clock.advance(Duration.ofSeconds(3));
    assertThat(join(store.claim("r", "p2", Duration.ofSeconds(3)))).isTrue(); // p1's lease lapsed
    assertThatThrownBy(() -> join(store.append("r", "p1", List.of(text(3)))))
        .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(RunStoreException.Reason.LEASE_LOST));
    assertThatThrownBy(() -> join(store.finish("r", "p1", done(3), RunStatus.COMPLETED, Duration.ofMinutes(1))))
        .satisfies(t -> assertThat(reasonOf(t)).isEqualTo(RunStoreException.Reason.LEASE_LOST));
    join(store.append("r", "p2", List.of(text(3))));
    join(store.finish("r", "p2", done(4), RunStatus.COMPLETED, Duration.ofMinutes(1)));
    assertThat(join(store.read("r", 0, 10))).extracting(RunEvent::id).containsExactly(1L, 2L, 3L, 4L);
  }
}
