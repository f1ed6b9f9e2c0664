package dev.llmstream.core.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.Progress;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.StreamMetricsListener;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.Usage;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The measuring side of a {@link UiConnectionImpl}: times on the injected scheduler, the
 * {@link MetricsCollector}, the user's {@link StreamMetricsListener} (called under the listener policy:
 * its throwables are logged and ignored) and the {@link Progress} shown after each batch. Knows nothing of
 * the sink or the lane. The collector is thread-safe; the rest is called from the connection's lane only
 * (and {@link #arrived} from the buffer's drain, which touches only the collector).
 */
final class UiMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(UiMetrics.class);

  private final StreamScheduler scheduler;
  private final StreamMetricsListener listener;
  private final int maxTokens;
  private final long start;
  private final MetricsCollector collector;

  // owned by the lane
  private long tokensShown;
  private @Nullable Usage usage;

  UiMetrics(StreamScheduler scheduler, StreamMetricsListener listener, int maxTokens) {
    this.scheduler = scheduler;
    this.listener = listener;
    this.maxTokens = maxTokens;
    this.start = scheduler.nanoTime();
    this.collector = new MetricsCollector(start);
  }

  long now() {
    return scheduler.nanoTime();
  }

  /** An event reached the buffer (its drain loop calls this). */
  void arrived(StreamEvent event, long nanos) {
    collector.arrived(event, nanos);
  }

  /** Content is about to be shown; the first time, the listener hears the time to first token. */
  void contentStarts() {
    long now = scheduler.nanoTime();
    if (collector.content(now)) {
      Duration ttft = Duration.ofNanos(now - start);
      notifyListener(() -> listener.onFirstToken(ttft));
    }
  }

  void usage(Usage latest) {
    usage = latest;
  }

  void recovering() {
    collector.recovering();
  }

  /**
   * Records a shown batch and tells the listener.
   *
   * @param chars characters in the batch
   * @param deltas upstream deltas in it
   * @param oldestArrival when its oldest part reached the buffer
   * @param answerChars the answer's characters so far (text and reasoning)
   * @return the progress to show
   */
  Progress batch(int chars, int deltas, long oldestArrival, long answerChars) {
    long now = scheduler.nanoTime();
    long latency = Math.max(0, now - oldestArrival);
    collector.batch(chars, latency);
    tokensShown += deltas;
    long tokens = tokensShown;
    Usage u = usage;
    if (u != null) {
      tokens = Math.max(tokens, u.completionTokens());
    }
    Progress progress = new Progress(tokens, answerChars, collector.elapsed(now), maxTokens);
    notifyListener(() -> listener.onBatch(deltas, chars, Duration.ofNanos(latency)));
    return progress;
  }

  /**
   * Records the end of the stream (the listener hears it from {@link #notifyEnd}).
   *
   * @return the time of the end
   */
  long end(StreamState state, @Nullable ErrorKind kind, long cancelRequestedAt) {
    long now = scheduler.nanoTime();
    collector.end(state, kind, now, cancelRequestedAt);
    return now;
  }

  /** Tells the listener the stream ended, with the metrics as of {@code now}. */
  void notifyEnd(long now) {
    StreamMetrics m = collector.snapshot(now);
    notifyListener(() -> listener.onStreamEnd(m));
  }

  StreamMetrics snapshot() {
    return collector.snapshot(scheduler.nanoTime());
  }

  private static void notifyListener(Runnable call) {
    SerialDrain.callListener(LOG, "stream metrics listener", call);
  }
}
