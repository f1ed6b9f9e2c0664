package dev.llmstream.web.internal;

import dev.llmstream.core.StreamScheduler;
import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunRecord;
import dev.llmstream.web.spi.RunStatus;
import dev.llmstream.web.spi.RunStore;
import dev.llmstream.web.spi.RunStoreException;
import dev.llmstream.web.spi.RunStoreException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RunStore} in this JVM's memory. Every result is ready when the call returns (the stages are
 * complete); tails are woken on the appending thread, outside the run's lock. Each run has its own lock;
 * the owner index has one more. Finished runs are dropped by a timer on the injected scheduler.
 *
 * <p>Hand-written because it is a few maps and lists with exactly the SPI's semantics; a cache library
 * would add expiry we already schedule ourselves, and nothing else. Thread-safe.
 */
public final class InMemoryRunStore implements RunStore {
  private static final Logger LOG = LoggerFactory.getLogger(InMemoryRunStore.class);

  private final StreamScheduler scheduler;
  private final ConcurrentHashMap<String, MemoryRun.Entry> runs = new ConcurrentHashMap<>();
  private final Object ownersLock = new Object();
  private final Map<String, Set<MemoryRun.Entry>> runningByOwner = new HashMap<>(); // guarded by ownersLock

  /**
   * Creates an empty store.
   *
   * @param scheduler the clock and timer for TTLs and leases
   */
  public InMemoryRunStore(StreamScheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  @Override
  public CompletionStage<Void> create(RunRecord run, int maxRunningPerOwner) {
    if (run.status() != RunStatus.RUNNING) {
      return failed(new IllegalArgumentException("a new run must be RUNNING, was " + run.status()));
    }
    MemoryRun.Entry e = new MemoryRun.Entry(run);
    synchronized (ownersLock) {
      Set<MemoryRun.Entry> mine = runningByOwner.getOrDefault(run.owner(), Set.of());
      for (MemoryRun.Entry other : mine) {
        if (other.slot.equals(run.slot())) {
          return failed(new RunStoreException(Reason.SLOT_BUSY,
              "an answer is already running in this conversation: stop it or wait for it to end"));
        }
      }
      if (mine.size() >= maxRunningPerOwner) {
        return failed(new RunStoreException(Reason.OWNER_LIMIT,
            "too many answers running at once (limit " + maxRunningPerOwner + "): wait for one to end"));
      }
      if (runs.putIfAbsent(run.runId(), e) != null) {
        return failed(new RunStoreException(Reason.DUPLICATE_ID, "the run id is already taken"));
      }
      runningByOwner.computeIfAbsent(run.owner(), k -> new LinkedHashSet<>()).add(e);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Optional<RunRecord>> find(String runId) {
    MemoryRun.Entry e = runs.get(runId);
    if (e == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    synchronized (e.lock) {
      return CompletableFuture.completedFuture(Optional.of(e.record));
    }
  }

  @Override
  public CompletionStage<Void> append(String runId, String producerId, List<RunEvent> events) {
    MemoryRun.Entry e = runs.get(runId);
    if (e == null) {
      return failed(MemoryRun.unknown());
    }
    List<MemoryRun.Delivery> wake;
    synchronized (e.lock) {
      if (e.leaseHolder != null && !e.leaseHolder.equals(producerId)) {
        return failed(leaseLost());
      }
      long last = e.lastId();
      for (RunEvent ev : events) {
        if (ev.id() <= last) {
          return failed(new RunStoreException(Reason.OUT_OF_ORDER,
              "event id " + ev.id() + " is not after the last stored id " + last));
        }
        last = ev.id();
      }
      if (e.record.status().isFinished()) {
        return failed(new RunStoreException(Reason.OUT_OF_ORDER, "the run has already finished"));
      }
      e.events.addAll(events);
      wake = e.takeWaiting();
    }
    deliver(wake);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<List<RunEvent>> read(String runId, long afterId, int maxEvents) {
    MemoryRun.Entry e = runs.get(runId);
    if (e == null) {
      return failed(MemoryRun.unknown());
    }
    synchronized (e.lock) {
      return CompletableFuture.completedFuture(e.slice(afterId, maxEvents));
    }
  }

  @Override
  public Tail tail(String runId, long afterId, int maxEvents, TailListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be >= 1, was " + maxEvents);
    }
    return new MemoryRun.MemoryTail(runs.get(runId), afterId, maxEvents, listener);
  }

  @Override
  public CompletionStage<Void> finish(
      String runId, String producerId, RunEvent done, RunStatus status, Duration ttl) {
    if (!status.isFinished()) {
      return failed(new IllegalArgumentException("finish needs a finished status, was " + status));
    }
    MemoryRun.Entry e = runs.get(runId);
    if (e == null) {
      return failed(MemoryRun.unknown());
    }
    List<MemoryRun.Delivery> wake;
    synchronized (e.lock) {
      if (e.leaseHolder != null && !e.leaseHolder.equals(producerId)) {
        return failed(leaseLost());
      }
      if (e.record.status().isFinished() || done.id() <= e.lastId()) {
        return failed(new RunStoreException(Reason.OUT_OF_ORDER,
            "the run has already finished, or the done event's id is not after the last stored id"));
      }
      e.events.add(done);
      e.record = e.record.withStatus(status);
      e.stopListeners.clear();
      e.leaseHolder = null;
      wake = e.takeWaiting();
    }
    synchronized (ownersLock) {
      Set<MemoryRun.Entry> mine = runningByOwner.get(e.owner);
      if (mine != null) {
        mine.remove(e);
        if (mine.isEmpty()) {
          runningByOwner.remove(e.owner);
        }
      }
    }
    e.expiry = scheduler.schedule(ttl, () -> drop(runId, e));
    deliver(wake);
    return CompletableFuture.completedFuture(null);
  }

  private void drop(String runId, MemoryRun.Entry e) {
    runs.remove(runId, e);
    List<MemoryRun.Delivery> wake;
    synchronized (e.lock) {
      e.dropped = true;
      wake = e.takeWaiting();
    }
    deliver(wake);
  }

  @Override
  public CompletionStage<Boolean> requestStop(String runId, String reason) {
    MemoryRun.Entry e = runs.get(runId);
    if (e == null) {
      return failed(MemoryRun.unknown());
    }
    List<Consumer<String>> toRun;
    synchronized (e.lock) {
      if (e.record.status().isFinished()) {
        return CompletableFuture.completedFuture(false);
      }
      if (e.stopReason != null) {
        return CompletableFuture.completedFuture(true);
      }
      e.stopReason = reason;
      toRun = new ArrayList<>(e.stopListeners);
      e.stopListeners.clear();
    }
    for (Consumer<String> l : toRun) {
      runListener(l, reason);
    }
    return CompletableFuture.completedFuture(true);
  }

  @Override
  public Registration onStop(String runId, Consumer<String> listener) {
    Objects.requireNonNull(listener, "listener");
    MemoryRun.Entry e = runs.get(runId);
    if (e == null) {
      return () -> {};
    }
    String reason;
    synchronized (e.lock) {
      reason = e.stopReason;
      if (reason == null) {
        e.stopListeners.add(listener);
        return () -> {
          synchronized (e.lock) {
            e.stopListeners.remove(listener);
          }
        };
      }
    }
    runListener(listener, reason);
    return () -> {};
  }

  @Override
  public CompletionStage<Boolean> claim(String runId, String producerId, Duration lease) {
    MemoryRun.Entry e = runs.get(runId);
    if (e == null) {
      return failed(MemoryRun.unknown());
    }
    long now = scheduler.nanoTime();
    synchronized (e.lock) {
      if (e.record.status().isFinished()) {
        return CompletableFuture.completedFuture(false);
      }
      if (e.leaseHolder == null || e.leaseHolder.equals(producerId) || now - e.leaseUntil >= 0) {
        e.leaseHolder = producerId;
        e.leaseUntil = now + lease.toNanos();
        return CompletableFuture.completedFuture(true);
      }
      return CompletableFuture.completedFuture(false);
    }
  }

  @Override
  public CompletionStage<Long> addReaders(String runId, int delta) {
    MemoryRun.Entry e = runs.get(runId);
    if (e == null) {
      return failed(MemoryRun.unknown());
    }
    synchronized (e.lock) {
      e.readers = Math.max(0, e.readers + delta);
      return CompletableFuture.completedFuture(e.readers);
    }
  }

  @Override
  public void close() {
    for (Map.Entry<String, MemoryRun.Entry> me : runs.entrySet()) {
      Future<?> c = me.getValue().expiry;
      if (c != null) {
        c.cancel(false);
      }
    }
  }

  /**
   * The number of runs held (running and finished, not yet expired).
   *
   * @return the count
   */
  public int size() {
    return runs.size();
  }

  private static void runListener(Consumer<String> l, String reason) {
    try {
      l.accept(reason);
    } catch (RuntimeException ex) {
      LOG.warn("Exception thrown by a stop listener", ex);
    }
  }

  private static void deliver(List<MemoryRun.Delivery> wake) {
    for (MemoryRun.Delivery d : wake) {
      d.run();
    }
  }

  private static RunStoreException leaseLost() {
    return new RunStoreException(Reason.LEASE_LOST, "this producer no longer holds the run's lease");
  }

  private static <T> CompletionStage<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }
}
