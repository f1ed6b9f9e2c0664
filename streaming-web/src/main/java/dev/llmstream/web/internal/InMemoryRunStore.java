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
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
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
  private final ConcurrentHashMap<String, Entry> runs = new ConcurrentHashMap<>();
  private final Object ownersLock = new Object();
  private final Map<String, Set<Entry>> runningByOwner = new HashMap<>(); // guarded by ownersLock

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
    Entry e = new Entry(run);
    synchronized (ownersLock) {
      Set<Entry> mine = runningByOwner.getOrDefault(run.owner(), Set.of());
      for (Entry other : mine) {
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
    Entry e = runs.get(runId);
    if (e == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    synchronized (e.lock) {
      return CompletableFuture.completedFuture(Optional.of(e.record));
    }
  }

  @Override
  public CompletionStage<Void> append(String runId, List<RunEvent> events) {
    Entry e = runs.get(runId);
    if (e == null) {
      return failed(unknown());
    }
    List<Delivery> wake;
    synchronized (e.lock) {
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
    Entry e = runs.get(runId);
    if (e == null) {
      return failed(unknown());
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
    return new MemoryTail(runs.get(runId), afterId, maxEvents, listener);
  }

  @Override
  public CompletionStage<Void> finish(String runId, RunEvent done, RunStatus status, Duration ttl) {
    if (!status.isFinished()) {
      return failed(new IllegalArgumentException("finish needs a finished status, was " + status));
    }
    Entry e = runs.get(runId);
    if (e == null) {
      return failed(unknown());
    }
    List<Delivery> wake;
    synchronized (e.lock) {
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
      Set<Entry> mine = runningByOwner.get(e.owner);
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

  private void drop(String runId, Entry e) {
    runs.remove(runId, e);
    List<Delivery> wake;
    synchronized (e.lock) {
      e.dropped = true;
      wake = e.takeWaiting();
    }
    deliver(wake);
  }

  @Override
  public CompletionStage<Boolean> requestStop(String runId, String reason) {
    Entry e = runs.get(runId);
    if (e == null) {
      return failed(unknown());
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
    Entry e = runs.get(runId);
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
    Entry e = runs.get(runId);
    if (e == null) {
      return failed(unknown());
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
    Entry e = runs.get(runId);
    if (e == null) {
      return failed(unknown());
    }
    synchronized (e.lock) {
      e.readers = Math.max(0, e.readers + delta);
      return CompletableFuture.completedFuture(e.readers);
    }
  }

  @Override
  public void close() {
    for (Map.Entry<String, Entry> me : runs.entrySet()) {
      StreamScheduler.Cancellable c = me.getValue().expiry;
      if (c != null) {
        c.cancel();
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

  private static void deliver(List<Delivery> wake) {
    for (Delivery d : wake) {
      d.run();
    }
  }

  private static RunStoreException unknown() {
    return new RunStoreException(Reason.UNKNOWN_RUN, "no such run (unknown id, or it expired)");
  }

  private static <T> CompletionStage<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }

  /** A batch (or an error) for a tail, computed under the run's lock and handed over outside it. */
  private record Delivery(MemoryTail tail, @Nullable List<RunEvent> events) {
    void run() {
      tail.handOver(events);
    }
  }

  private static final class Entry {
    final Object lock = new Object();
    final String owner;
    final String slot;
    RunRecord record; // guarded by lock
    final ArrayList<RunEvent> events = new ArrayList<>(); // guarded by lock
    final List<MemoryTail> waiting = new ArrayList<>(); // guarded by lock
    final List<Consumer<String>> stopListeners = new ArrayList<>(); // guarded by lock
    @Nullable String stopReason; // guarded by lock
    @Nullable String leaseHolder; // guarded by lock
    long leaseUntil; // guarded by lock
    long readers; // guarded by lock
    boolean dropped; // guarded by lock
    volatile StreamScheduler.@Nullable Cancellable expiry;

    Entry(RunRecord record) {
      this.record = record;
      this.owner = record.owner();
      this.slot = record.slot();
    }

    long lastId() {
      return events.isEmpty() ? 0 : events.get(events.size() - 1).id();
    }

    List<RunEvent> slice(long afterId, int max) {
      int lo = 0;
      int hi = events.size();
      while (lo < hi) { // first index with id > afterId
        int mid = (lo + hi) >>> 1;
        if (events.get(mid).id() <= afterId) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      int to = (int) Math.min(events.size(), (long) lo + max);
      return lo >= to ? List.of() : List.copyOf(events.subList(lo, to));
    }

    List<Delivery> takeWaiting() {
      if (waiting.isEmpty()) {
        return List.of();
      }
      List<Delivery> out = new ArrayList<>(waiting.size());
      for (MemoryTail t : waiting) {
        if (dropped) {
          out.add(new Delivery(t, null));
        } else {
          List<RunEvent> batch = slice(t.last, t.maxEvents);
          t.last = batch.get(batch.size() - 1).id();
          out.add(new Delivery(t, batch));
        }
      }
      waiting.clear();
      return out;
    }
  }

  private static final class MemoryTail implements Tail {
    private final @Nullable Entry entry;
    private final int maxEvents;
    private final TailListener listener;
    long last; // guarded by entry.lock
    private boolean pending; // guarded by entry.lock: a request not yet answered
    private volatile boolean closed;

    MemoryTail(@Nullable Entry entry, long afterId, int maxEvents, TailListener listener) {
      this.entry = entry;
      this.last = afterId;
      this.maxEvents = maxEvents;
      this.listener = listener;
    }

    @Override
    public void request() {
      Entry e = entry;
      if (closed) {
        return;
      }
      if (e == null) {
        closed = true;
        listener.onError(unknown());
        return;
      }
      List<RunEvent> batch;
      synchronized (e.lock) {
        if (pending || closed) {
          return;
        }
        if (e.dropped) {
          batch = null;
        } else {
          batch = e.slice(last, maxEvents);
          if (batch.isEmpty()) {
            pending = true;
            e.waiting.add(this);
            return;
          }
          last = batch.get(batch.size() - 1).id();
        }
        pending = true;
      }
      handOver(batch);
    }

    void handOver(@Nullable List<RunEvent> batch) {
      Entry e = Objects.requireNonNull(entry);
      synchronized (e.lock) {
        pending = false;
      }
      if (closed) {
        return;
      }
      if (batch == null) {
        closed = true;
        listener.onError(unknown());
      } else {
        listener.onEvents(batch);
      }
    }

    @Override
    public void close() {
      closed = true;
      Entry e = entry;
      if (e != null) {
        synchronized (e.lock) {
          e.waiting.remove(this);
        }
      }
    }
  }
}
