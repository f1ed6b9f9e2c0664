package dev.llmstream.core.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.StreamState;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Gathers one stream's metrics. Arrivals are recorded by the buffer's drain loop, deliveries by the UI
 * lane, snapshots may be taken from any thread: every method is {@code synchronized} on this object
 * (short, no user code inside).
 */
public final class MetricsCollector {
  private final long start;
  private StreamState state = StreamState.WAITING_FIRST_TOKEN;
  private long firstTokenAt = -1;
  private long endAt = -1;
  private long tokens;
  private long characters;
  private long batches;
  private boolean sawDelta;
  private long lastDeltaAt;
  private long gapCount;
  private long gapSum;
  private long gapMax;
  private long latencySum;
  private long latencyMax;
  private long latencyLast;
  private long cancelLatency = -1;
  private @Nullable ErrorKind errorKind;
  private int waitings;
  private int recoveries;

  /**
   * Starts collecting.
   *
   * @param startNanos when the request was sent
   */
  public MetricsCollector(long startNanos) {
    this.start = startNanos;
  }

  /**
   * An event arrived at the buffer.
   *
   * @param event the event
   * @param nanos when
   */
  public synchronized void arrived(StreamEvent event, long nanos) {
    if (event instanceof StreamEvent.TextDelta
        || event instanceof StreamEvent.ReasoningDelta
        || event instanceof StreamEvent.ToolCallDelta) {
      tokens++;
      if (sawDelta) {
        long gap = nanos - lastDeltaAt;
        gapCount++;
        gapSum += gap;
        gapMax = Math.max(gapMax, gap);
      }
      sawDelta = true;
      lastDeltaAt = nanos;
    } else if (event instanceof StreamEvent.Waiting && !sawDelta) {
      waitings++; // attempts before the answer started
    } else if (event instanceof StreamEvent.Recovering) {
      recoveries++;
    }
  }

  /**
   * Content was handed to the sink.
   *
   * @param nanos when
   * @return {@code true} if this was the first content
   */
  public synchronized boolean content(long nanos) {
    if (firstTokenAt < 0) {
      firstTokenAt = nanos;
      if (state == StreamState.WAITING_FIRST_TOKEN) {
        state = StreamState.STREAMING;
      }
      return true;
    }
    if (state == StreamState.RECOVERING) {
      state = StreamState.STREAMING;
    }
    return false;
  }

  /**
   * A text or reasoning batch was handed to the sink.
   *
   * @param chars its length
   * @param latencyNanos arrival-to-sink time of its oldest part
   */
  public synchronized void batch(int chars, long latencyNanos) {
    batches++;
    characters += chars;
    latencySum += latencyNanos;
    latencyMax = Math.max(latencyMax, latencyNanos);
    latencyLast = latencyNanos;
  }

  /** The sink was told the stream is recovering. */
  public synchronized void recovering() {
    if (!state.isTerminal()) {
      state = StreamState.RECOVERING;
    }
  }

  /**
   * The stream ended.
   *
   * @param finalState how
   * @param kind the failure kind, or null
   * @param nanos when
   * @param cancelRequestedAt when cancel() was called, or -1
   */
  public synchronized void end(
      StreamState finalState, @Nullable ErrorKind kind, long nanos, long cancelRequestedAt) {
    if (state.isTerminal()) {
      return;
    }
    state = finalState;
    errorKind = kind;
    endAt = nanos;
    if (cancelRequestedAt >= 0 && finalState == StreamState.CANCELLED) {
      cancelLatency = nanos - cancelRequestedAt;
    }
  }

  /**
   * A snapshot.
   *
   * @param nanos now (ignored once ended)
   * @return the metrics
   */
  public synchronized StreamMetrics snapshot(long nanos) {
    long until = endAt >= 0 ? endAt : nanos;
    return new StreamMetrics(
        state,
        firstTokenAt < 0 ? null : Duration.ofNanos(firstTokenAt - start),
        Duration.ofNanos(Math.max(0, until - start)),
        tokens,
        characters,
        batches,
        Duration.ofNanos(gapMax),
        Duration.ofNanos(gapCount == 0 ? 0 : gapSum / gapCount),
        Duration.ofNanos(latencyMax),
        Duration.ofNanos(batches == 0 ? 0 : latencySum / batches),
        Duration.ofNanos(latencyLast),
        cancelLatency < 0 ? null : Duration.ofNanos(cancelLatency),
        errorKind,
        Math.max(0, waitings - 1),
        recoveries);
  }
}
