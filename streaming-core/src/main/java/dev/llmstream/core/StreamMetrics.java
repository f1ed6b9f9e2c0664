package dev.llmstream.core;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one stream's metrics, as {@link UiConnection#metrics()} reports it and
 * {@link UiSink#onProgress(StreamMetrics)} receives it after each batch; {@link #toString()} is a loggable
 * one-liner. For the final figures, read {@link UiConnection#metrics()} once {@link UiConnection#done()}
 * has completed. All times come from the injected {@link StreamScheduler}. Immutable and
 * thread-safe.
 *
 * <p>"Arrival" is when the buffer ({@link UiConnection#buffer}) received an event from the stream (the core carries no
 * network timestamps), so the stream latency covers buffering, the hop to the UI executor and waiting
 * there.
 *
 * @param state where the stream is: {@link StreamState#WAITING_FIRST_TOKEN}, {@link StreamState#STREAMING}
 *     or {@link StreamState#RECOVERING} while running, else how it ended
 * @param timeToFirstToken from the request being sent to the first token handed to the sink, or
 *     {@code null} before that
 * @param elapsed from the request being sent to now, or to the end
 * @param tokens deltas received from the stream (text, reasoning and tool-call fragments)
 * @param characters text and reasoning characters handed to the sink
 * @param batches text and reasoning batches handed to the sink
 * @param maxInterTokenGap the longest time between two consecutive deltas arriving
 * @param meanInterTokenGap the mean time between consecutive deltas arriving
 * @param maxStreamLatency the longest arrival-to-sink time of a batch (measured from its oldest delta)
 * @param meanStreamLatency the mean arrival-to-sink time of the batches
 * @param lastStreamLatency the arrival-to-sink time of the latest batch (zero before the first)
 * @param cancelLatency from {@link UiConnection#cancel()} to the sink's {@code onCancelled}, or
 *     {@code null} when not cancelled that way
 * @param errorKind the kind of failure, or {@code null} if the stream did not fail
 * @param retries new attempts before the answer started (repeated {@link StreamEvent.Waiting} events)
 * @param recoveries resumptions after a broken connection ({@link StreamEvent.Recovering} events)
 */
public record StreamMetrics(
    StreamState state,
    @Nullable Duration timeToFirstToken,
    Duration elapsed,
    long tokens,
    long characters,
    long batches,
    Duration maxInterTokenGap,
    Duration meanInterTokenGap,
    Duration maxStreamLatency,
    Duration meanStreamLatency,
    Duration lastStreamLatency,
    @Nullable Duration cancelLatency,
    @Nullable ErrorKind errorKind,
    int retries,
    int recoveries) {

  /**
   * Validates the components.
   *
   * @param state where the stream is: {@link StreamState#WAITING_FIRST_TOKEN}, {@link StreamState#STREAMING} or {@link StreamState#RECOVERING} while running, else how it ended
   * @param timeToFirstToken from the request being sent to the first token handed to the sink, or {@code null} before that
   * @param elapsed from the request being sent to now, or to the end
   * @param tokens deltas received from the stream (text, reasoning and tool-call fragments)
   * @param characters text and reasoning characters handed to the sink
   * @param batches text and reasoning batches handed to the sink
   * @param maxInterTokenGap the longest time between two consecutive deltas arriving
   * @param meanInterTokenGap the mean time between consecutive deltas arriving
   * @param maxStreamLatency the longest arrival-to-sink time of a batch (measured from its oldest delta)
   * @param meanStreamLatency the mean arrival-to-sink time of the batches
   * @param lastStreamLatency the arrival-to-sink time of the latest batch (zero before the first)
   * @param cancelLatency from {@link UiConnection#cancel()} to the sink's {@code onCancelled}, or {@code null} when not cancelled that way
   * @param errorKind the kind of failure, or {@code null} if the stream did not fail
   * @param retries new attempts before the answer started (repeated {@link StreamEvent.Waiting} events)
   * @param recoveries resumptions after a broken connection ({@link StreamEvent.Recovering} events)
   */
  public StreamMetrics {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(maxInterTokenGap, "maxInterTokenGap");
    Objects.requireNonNull(meanInterTokenGap, "meanInterTokenGap");
    Objects.requireNonNull(maxStreamLatency, "maxStreamLatency");
    Objects.requireNonNull(meanStreamLatency, "meanStreamLatency");
    Objects.requireNonNull(lastStreamLatency, "lastStreamLatency");
  }

  /**
   * The generation rate, counted from the first token: the tokens after the first over the time from
   * the first token to now (or the end). The wait for the first token is {@link #timeToFirstToken()}
   * and is not part of the rate (dividing by the whole elapsed time made a 20 tok/s stream read as
   * 4-9 tok/s).
   *
   * @return tokens per second, 0 before a second token or when no time has passed since the first
   */
  public double tokensPerSecond() {
    if (timeToFirstToken == null || tokens < 2) {
      return 0;
    }
    long nanos = elapsed.toNanos() - timeToFirstToken.toNanos();
    return nanos <= 0 ? 0 : (tokens - 1) * 1e9 / nanos;
  }

  @Override
  public String toString() {
    return "StreamMetrics[state="
        + state
        + ", ttft="
        + ms(timeToFirstToken)
        + ", elapsed="
        + ms(elapsed)
        + ", tokens="
        + tokens
        + ", chars="
        + characters
        + ", batches="
        + batches
        + ", gapMax="
        + ms(maxInterTokenGap)
        + ", gapMean="
        + ms(meanInterTokenGap)
        + ", latencyMax="
        + ms(maxStreamLatency)
        + ", latencyMean="
        + ms(meanStreamLatency)
        + ", latencyLast="
        + ms(lastStreamLatency)
        + ", cancelLatency="
        + ms(cancelLatency)
        + ", error="
        + errorKind
        + ", retries="
        + retries
        + ", recoveries="
        + recoveries
        + "]";
  }

  private static String ms(@Nullable Duration d) {
    return d == null ? "-" : String.format(java.util.Locale.ROOT, "%.1fms", d.toNanos() / 1e6);
  }
}
