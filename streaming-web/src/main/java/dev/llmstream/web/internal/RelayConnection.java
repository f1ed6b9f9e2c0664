package dev.llmstream.web.internal;

import dev.llmstream.web.RunReader;
import dev.llmstream.web.SseConnection;
import dev.llmstream.web.SseSink;
import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunStore;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The relay for one browser connection: follows the run's log one batch at a time and writes each batch
 * to the adapter's sink, coalesced into as few events as the protocol allows. A new batch is requested
 * only when the previous write finished, so a slow connection holds one encoded batch at most (bounded by
 * {@code maxBatchEvents}) and lets events pile up in the shared log, not in a per-connection queue; when it
 * catches up it gets everything since in one coalesced write.
 *
 * <p>All steps run in a serial drain loop (an atomic work counter, no lock, no thread): the tail's batch,
 * a write's completion, a heartbeat tick and a close may arrive on any thread. A heartbeat comment is
 * written when a whole interval passed without a write; its failure detects a vanished client.
 */
final class RelayConnection implements RunReader, SseConnection, RunStore.TailListener {
  private final AnswerRunsImpl runs;
  private final RunsConfig cfg;
  private final String runId;
  private final long afterId;
  private final boolean hasMore;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicReference<@Nullable List<RunEvent>> ready = new AtomicReference<>();
  private final AtomicBoolean heartbeatDue = new AtomicBoolean();
  private final AtomicBoolean wroteSinceTick = new AtomicBoolean();
  private volatile boolean writing;
  private volatile boolean preamblePending = true;
  private volatile boolean doneWritten;
  private volatile @Nullable SseSink sink;
  private volatile RunStore.@Nullable Tail tail;
  private volatile @Nullable Future<?> heartbeatTimer;

  RelayConnection(AnswerRunsImpl runs, RunsConfig cfg, String runId, long afterId, boolean hasMore) {
    this.runs = runs;
    this.cfg = cfg;
    this.runId = runId;
    this.afterId = afterId;
    this.hasMore = hasMore;
  }

  @Override
  public boolean hasMore() {
    return hasMore;
  }

  @Override
  public SseConnection start(SseSink sink) {
    Objects.requireNonNull(sink, "sink");
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("RunReader.start may be called once");
    }
    this.sink = sink;
    runs.readerJoined(this, runId);
    tail = cfg.store().tail(runId, afterId, cfg.maxBatchEvents(), this);
    scheduleHeartbeat();
    drain();
    return this;
  }

  @Override
  public void onEvents(List<RunEvent> events) {
    ready.set(events);
    drain();
  }

  @Override
  public void onError(Throwable error) {
    close();
  }

  @Override
  public void clientClosed() {
    close();
  }

  @Override
  public boolean isOpen() {
    return started.get() && !closed.get();
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      step();
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void step() {
    SseSink s = sink;
    if (closed.get() || writing || s == null) {
      return;
    }
    if (preamblePending) {
      preamblePending = false;
      write(s, SseFrames.PREAMBLE, true);
      return;
    }
    List<RunEvent> batch = ready.getAndSet(null);
    if (batch != null) {
      SseFrames.Encoded enc = SseFrames.encode(batch, cfg.clock().millis());
      runs.countCoalesced(enc.coalesced());
      doneWritten = enc.done();
      write(s, enc.bytes(), true);
    } else if (heartbeatDue.getAndSet(false)) {
      write(s, SseFrames.HEARTBEAT, false);
    }
  }

  private void write(SseSink s, byte[] bytes, boolean thenRequest) {
    writing = true;
    s.write(bytes, err -> written(err, thenRequest));
  }

  private void written(@Nullable Throwable err, boolean thenRequest) {
    if (err != null) {
      close();
      return;
    }
    wroteSinceTick.set(true);
    writing = false;
    if (doneWritten) {
      close();
      return;
    }
    if (thenRequest) {
      RunStore.Tail t = tail;
      if (t != null) {
        t.request(); // may deliver at once, re-entering onEvents -> drain (the counter serialises it)
      }
    }
    drain();
  }

  private void scheduleHeartbeat() {
    if (closed.get()) {
      return;
    }
    heartbeatTimer = cfg.scheduler().schedule(cfg.heartbeat(), this::tick);
  }

  private void tick() {
    if (closed.get()) {
      return;
    }
    if (!wroteSinceTick.getAndSet(false)) {
      heartbeatDue.set(true);
      drain();
    }
    scheduleHeartbeat();
  }

  /** Closes everything once: the tail, the timer, the sink; the reader is counted as gone. */
  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RunStore.Tail t = tail;
    if (t != null) {
      t.close();
    }
    Future<?> h = heartbeatTimer;
    if (h != null) {
      h.cancel(false);
    }
    SseSink s = sink;
    if (s != null) {
      s.close();
    }
    runs.readerLeft(this, runId);
  }
}
