package dev.llmstream.core.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.StreamMetricsListener;
import dev.llmstream.core.UiConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A {@link StreamMetricsListener} that sums the metrics of many streams: pass one instance to every
 * {@code connect} (see {@link UiConfig.Builder#metrics(StreamMetricsListener)}) and log
 * {@link #snapshot()} now and then. Thread-safe and lock-free (adders and accumulators); holds no
 * reference to the streams.
 */
public final class MetricsRecorder implements StreamMetricsListener {
  private final LongAdder streams = new LongAdder();
  private final LongAdder completed = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final EnumMap<ErrorKind, LongAdder> errors = new EnumMap<>(ErrorKind.class);
  private final LongAdder tokens = new LongAdder();
  private final LongAdder characters = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder recoveries = new LongAdder();
  private final LongAdder ttftCount = new LongAdder();
  private final LongAdder ttftSum = new LongAdder();
  private final LongAccumulator ttftMax = new LongAccumulator(Math::max, 0);
  private final LongAccumulator gapMax = new LongAccumulator(Math::max, 0);
  private final LongAccumulator latencyMax = new LongAccumulator(Math::max, 0);
  private final LongAdder cancelCount = new LongAdder();
  private final LongAdder cancelSum = new LongAdder();
  private final LongAccumulator cancelMax = new LongAccumulator(Math::max, 0);

  private MetricsRecorder() {
    for (ErrorKind k : ErrorKind.values()) {
      errors.put(k, new LongAdder()); // filled once, read-only afterwards
    }
  }

  /**
   * A new, empty recorder.
   *
   * @return the recorder
   */
  public static MetricsRecorder create() {
    return new MetricsRecorder();
  }

  @Override
  public void onStreamEnd(StreamMetrics m) {
    streams.increment();
    switch (m.state()) {
      case COMPLETED:
        completed.increment();
        break;
      case CANCELLED:
        cancelled.increment();
        break;
      default:
        failed.increment();
        break;
    }
    ErrorKind kind = m.errorKind();
    if (kind != null) {
      errors.get(kind).increment();
    }
    tokens.add(m.tokens());
    characters.add(m.characters());
    batches.add(m.batches());
    retries.add(m.retries());
    recoveries.add(m.recoveries());
    Duration ttft = m.timeToFirstToken();
    if (ttft != null) {
      ttftCount.increment();
      ttftSum.add(ttft.toNanos());
      ttftMax.accumulate(ttft.toNanos());
    }
    gapMax.accumulate(m.maxInterTokenGap().toNanos());
    latencyMax.accumulate(m.maxStreamLatency().toNanos());
    Duration cancel = m.cancelLatency();
    if (cancel != null) {
      cancelCount.increment();
      cancelSum.add(cancel.toNanos());
      cancelMax.accumulate(cancel.toNanos());
    }
  }

  /**
   * The sums so far. Each counter is read atomically, the whole snapshot is not (streams ending
   * meanwhile may be partly counted).
   *
   * @return the snapshot
   */
  public Snapshot snapshot() {
    EnumMap<ErrorKind, Long> byKind = new EnumMap<>(ErrorKind.class);
    errors.forEach(
        (k, v) -> {
          long n = v.sum();
          if (n != 0) {
            byKind.put(k, n);
          }
        });
    long tc = ttftCount.sum();
    long cc = cancelCount.sum();
    return new Snapshot(
        streams.sum(),
        completed.sum(),
        cancelled.sum(),
        failed.sum(),
        Collections.unmodifiableMap(byKind),
        tokens.sum(),
        characters.sum(),
        batches.sum(),
        retries.sum(),
        recoveries.sum(),
        tc == 0 ? null : Duration.ofNanos(ttftSum.sum() / tc),
        Duration.ofNanos(ttftMax.get()),
        Duration.ofNanos(gapMax.get()),
        Duration.ofNanos(latencyMax.get()),
        cc == 0 ? null : Duration.ofNanos(cancelSum.sum() / cc),
        Duration.ofNanos(cancelMax.get()));
  }

  @Override
  public String toString() {
    return "MetricsRecorder" + snapshot();
  }

  /**
   * Aggregated metrics of the streams that ended so far. Immutable and thread-safe.
   *
   * @param streams streams that ended
   * @param completed streams that completed
   * @param cancelled streams that were cancelled
   * @param failed streams that failed (including a rejected UI executor)
   * @param errorsByKind failures per kind (kinds with none are absent); unmodifiable
   * @param tokens deltas received
   * @param characters characters handed to sinks
   * @param batches batches handed to sinks
   * @param retries new attempts before answers started
   * @param recoveries resumptions after broken connections
   * @param meanTimeToFirstToken the mean time to first token, or {@code null} if no stream had a token
   * @param maxTimeToFirstToken the longest time to first token
   * @param maxInterTokenGap the longest gap between two deltas of one stream
   * @param maxStreamLatency the longest arrival-to-sink time of a batch
   * @param meanCancelLatency the mean cancel latency, or {@code null} if nothing was cancelled
   * @param maxCancelLatency the longest cancel latency
   */
  public record Snapshot(
      long streams,
      long completed,
      long cancelled,
      long failed,
      Map<ErrorKind, Long> errorsByKind,
      long tokens,
      long characters,
      long batches,
      long retries,
      long recoveries,
      @Nullable Duration meanTimeToFirstToken,
      Duration maxTimeToFirstToken,
      Duration maxInterTokenGap,
      Duration maxStreamLatency,
      @Nullable Duration meanCancelLatency,
      Duration maxCancelLatency) {

    /**
     * Copies the map.
     *
     * @param streams streams that ended
     * @param completed streams that completed
     * @param cancelled streams that were cancelled
     * @param failed streams that failed (including a rejected UI executor)
     * @param errorsByKind failures per kind (kinds with none are absent); unmodifiable
     * @param tokens deltas received
     * @param characters characters handed to sinks
     * @param batches batches handed to sinks
     * @param retries new attempts before answers started
     * @param recoveries resumptions after broken connections
     * @param meanTimeToFirstToken the mean time to first token, or {@code null} if no stream had a token
     * @param maxTimeToFirstToken the longest time to first token
     * @param maxInterTokenGap the longest gap between two deltas of one stream
     * @param maxStreamLatency the longest arrival-to-sink time of a batch
     * @param meanCancelLatency the mean cancel latency, or {@code null} if nothing was cancelled
     * @param maxCancelLatency the longest cancel latency
     */
    public Snapshot {
      errorsByKind = Map.copyOf(errorsByKind);
    }
  }
}
