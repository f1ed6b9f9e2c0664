package dev.llmstream.web;

/**
 * Told when a run ends, for example to add the answer to a conversation's history. Called once per run on
 * the thread that delivered the end of the answer, after the {@code done} event was appended; must not
 * block. An exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface RunListener {
  /**
   * The run ended.
   *
   * @param result how
   */
  void onFinished(RunResult result);
}
