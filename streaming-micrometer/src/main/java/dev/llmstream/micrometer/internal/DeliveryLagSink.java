package dev.llmstream.micrometer.internal;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.UiSink;
import io.micrometer.core.instrument.Timer;

/**
 * A {@link UiSink} that forwards every call to the user's sink and, on each {@code onProgress}, records the
 * batch's arrival-to-sink time ({@link StreamMetrics#lastStreamLatency()}) in a timer first. Called like
 * any sink: serially, on the UI executor; holds no state of its own, so one instance per connection.
 */
public final class DeliveryLagSink implements UiSink {
  private final UiSink sink;
  private final Timer lag;

  /**
   * Wraps a sink.
   *
   * @param sink the user's sink
   * @param lag the timer the batch latencies go to
   */
  public DeliveryLagSink(UiSink sink, Timer lag) {
    this.sink = sink;
    this.lag = lag;
  }

  @Override
  public void onProgress(StreamMetrics metrics) {
    lag.record(metrics.lastStreamLatency());
    sink.onProgress(metrics);
  }

  @Override
  public void onText(CharSequence batch, CharSequence fullText) {
    sink.onText(batch, fullText);
  }

  @Override
  public void onStart() {
    sink.onStart();
  }

  @Override
  public void onTyping(boolean typing) {
    sink.onTyping(typing);
  }

  @Override
  public void onReasoning(CharSequence batch, CharSequence fullReasoning) {
    sink.onReasoning(batch, fullReasoning);
  }

  @Override
  public void onToolCall(StreamEvent.ToolCallDelta fragment) {
    sink.onToolCall(fragment);
  }

  @Override
  public void onRecovering(int attempt, String cause) {
    sink.onRecovering(attempt, cause);
  }

  @Override
  public void onReplaced(CharSequence text, CharSequence reasoning) {
    sink.onReplaced(text, reasoning);
  }

  @Override
  public void onCompleted(ChatResponse response) {
    sink.onCompleted(response);
  }

  @Override
  public void onCancelled(ChatResponse partial) {
    sink.onCancelled(partial);
  }

  @Override
  public void onFailed(StreamException error, ChatResponse partial) {
    sink.onFailed(error, partial);
  }

  @Override
  public String toString() {
    return "DeliveryLagSink[" + sink + "]";
  }
}
