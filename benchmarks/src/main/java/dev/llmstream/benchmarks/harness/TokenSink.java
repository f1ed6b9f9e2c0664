package dev.llmstream.benchmarks.harness;

import org.jspecify.annotations.Nullable;

/** What every library adapter delivers to: the text of each token, then one end. */
public interface TokenSink {
  /**
   * One non-empty piece of answer text.
   *
   * @param text the text
   */
  void onToken(String text);

  /**
   * The stream ended: completed, cancelled or failed. Called at most once by the harness's own sinks'
   * contract; adapters may call it twice (the sinks ignore the second).
   *
   * @param error the failure, or {@code null}
   */
  void onEnd(@Nullable Throwable error);
}
