package dev.llmstream.redis.internal;

import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunStore;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One reader's follow of a run: each request first reads what is stored after its position
 * ({@code XRANGE}); when nothing is there it waits in a {@link TailLanes} lane. One request is
 * outstanding at a time, so the listener is never called concurrently with itself. Thread-safe.
 */
public final class RedisTail implements RunStore.Tail, TailLanes.Waiter {
  /** Reads stored events: (run, after, max). */
  @FunctionalInterface
  public interface Reader {
    /**
     * Reads.
     *
     * @param runId the run
     * @param afterId after this id
     * @param max at most this many
     * @return the events
     */
    CompletionStage<List<RunEvent>> read(String runId, long afterId, int max);
  }

  private final Reader reader;
  private final TailLanes lanes;
  private final String runId;
  private final int maxEvents;
  private final RunStore.TailListener listener;
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile long last;
  private volatile boolean closed;
  private volatile @Nullable Runnable cancelWait;

  /**
   * Creates a tail.
   *
   * @param reader reads stored events
   * @param lanes where to wait
   * @param runId the run
   * @param afterId the start position
   * @param maxEvents the largest batch
   * @param listener receives batches
   */
  public RedisTail(Reader reader, TailLanes lanes, String runId, long afterId, int maxEvents,
      RunStore.TailListener listener) {
    this.reader = reader;
    this.lanes = lanes;
    this.runId = runId;
    this.last = afterId;
    this.maxEvents = maxEvents;
    this.listener = listener;
  }

  @Override
  public void request() {
    if (closed || !pending.compareAndSet(false, true)) {
      return;
    }
    reader.read(runId, last, maxEvents).whenComplete((events, err) -> {
      if (err != null) {
        fail(err);
      } else if (!events.isEmpty()) {
        deliver(events);
      } else if (!closed) {
        cancelWait = lanes.await(this);
      }
    });
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public long last() {
    return last;
  }

  @Override
  public int maxEvents() {
    return maxEvents;
  }

  @Override
  public void deliver(List<RunEvent> events) {
    last = events.get(events.size() - 1).id();
    cancelWait = null;
    pending.set(false);
    if (!closed) {
      listener.onEvents(events);
    }
  }

  @Override
  public void fail(Throwable error) {
    if (closed) {
      return;
    }
    closed = true;
    Throwable e = error;
    while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    listener.onError(e);
  }

  @Override
  public void close() {
    closed = true;
    Runnable c = cancelWait;
    if (c != null) {
      c.run();
    }
  }
}
