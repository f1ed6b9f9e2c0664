package dev.llmstream.web;

/**
 * Told when a run ends, for example to add the answer to a conversation's history. Called once per run on
 * the thread that delivered the end of the answer, just before the {@code done} event is appended (so a
 * reader that sees {@code done} also sees what the listener recorded); must not block. An exception it throws is logged and ignored.
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
