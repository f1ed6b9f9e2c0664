package dev.llmstream.core;

import java.time.Duration;

/**
 * Receives the metrics of streams connected with {@link UiConnection#connect}. Every method does nothing unless
 * overridden; exceptions thrown here are logged and ignored (they never affect the stream). No metrics
 * library is needed: adapt these calls to Micrometer, OpenTelemetry or a log line as you like. Register
 * one with {@link UiConfig.Builder#metrics(StreamMetricsListener)}.
 *
 * <p><b>Threading.</b> For one stream, calls come serially from its UI executor. A listener shared by
 * several streams is called concurrently and must be thread-safe.
 */
public interface StreamMetricsListener {

  /**
   * The first token was handed to the sink.
   *
   * @param timeToFirstToken from the request being sent to the first token reaching the sink
   */
  default void onFirstToken(Duration timeToFirstToken) {}

  /**
   * A batch of text or reasoning was handed to the sink.
   *
   * @param tokens the deltas in the batch
   * @param characters the characters in the batch
   * @param streamLatency from the arrival of the batch's oldest delta at the buffer to the sink call
   */
  default void onBatch(int tokens, int characters, Duration streamLatency) {}

  /**
   * The stream ended (the sink got its terminal call, or the UI executor rejected a task).
   *
   * @param metrics the stream's final metrics
   */
  default void onStreamEnd(StreamMetrics metrics) {}
}
