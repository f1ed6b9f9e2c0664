package dev.llmstream.web.internal;

import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunRecord;
import dev.llmstream.web.spi.RunStore;
import dev.llmstream.web.spi.RunStoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The state of one in-memory run and its tails; guarded by the run's own lock. Not API. */
final class MemoryRun {
  private MemoryRun() {
    throw new AssertionError("no instances");
  }

  static RunStoreException unknown() {
    return new RunStoreException(RunStoreException.Reason.UNKNOWN_RUN, "no such run (unknown id, or it expired)");
  }

  /** A batch (or an error) for a tail, computed under the run's lock and handed over outside it. */
  record Delivery(MemoryTail tail, @Nullable List<RunEvent> events) {
    void run() {
      tail.handOver(events);
    }
  }

  /** One run of {@link InMemoryRunStore}: its record, log, waiting tails, stop listeners and lease. */
  static final class Entry {
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
    volatile @Nullable Future<?> expiry;

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

  /** A tail of one run: one batch per request, handed over outside the run's lock. */
  static final class MemoryTail implements RunStore.Tail {
    private final @Nullable Entry entry;
    private final int maxEvents;
    private final RunStore.TailListener listener;
    long last; // guarded by entry.lock
    private boolean pending; // guarded by entry.lock: a request not yet answered
    private volatile boolean closed;

    MemoryTail(@Nullable Entry entry, long afterId, int maxEvents, RunStore.TailListener listener) {
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
