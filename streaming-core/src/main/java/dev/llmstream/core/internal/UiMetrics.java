package dev.llmstream.core.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.StreamState;
import org.jspecify.annotations.Nullable;

/**
 * The measuring side of a {@link UiConnectionImpl}: times on the injected scheduler and the
 * {@link MetricsCollector}, whose snapshot the sink's {@code onProgress} receives after each batch. Knows
 * nothing of the sink or the lane, and calls no user code. The collector is thread-safe; the rest is
 * called from the connection's lane only (and {@link #arrived} from the buffer's drain, which touches
 * only the collector).
 */
final class UiMetrics {
  private final StreamScheduler scheduler;
  private final MetricsCollector collector;

  UiMetrics(StreamScheduler scheduler) {
    this.scheduler = scheduler;
    this.collector = new MetricsCollector(scheduler.nanoTime());
  }

  long now() {
    return scheduler.nanoTime();
  }

  /** An event reached the buffer (its drain loop calls this). */
  void arrived(StreamEvent event, long nanos) {
    collector.arrived(event, nanos);
  }

  /** Content is about to be shown; the first time, this is the time to first token. */
  void contentStarts() {
    collector.content(scheduler.nanoTime());
  }

  void recovering() {
    collector.recovering();
  }

  /**
   * Records a shown batch.
   *
   * @param chars characters in the batch
   * @param oldestArrival when its oldest part reached the buffer
   * @return the metrics after this batch, for the sink's {@code onProgress}
   */
  StreamMetrics batch(int chars, long oldestArrival) {
    long now = scheduler.nanoTime();
    collector.batch(chars, Math.max(0, now - oldestArrival));
    return collector.snapshot(now);
  }

  /** Records the end of the stream. */
  void end(StreamState state, @Nullable ErrorKind kind, long cancelRequestedAt) {
    collector.end(state, kind, scheduler.nanoTime(), cancelRequestedAt);
  }

  StreamMetrics snapshot() {
    return collector.snapshot(scheduler.nanoTime());
  }
}
