package dev.llmstream.web.spi;

/** The state of a run as a store records it. Immutable. */
public enum RunStatus {
  /** The answer is being produced. */
  RUNNING,
  /** The answer ended normally. */
  COMPLETED,
  /** The answer was stopped (by its owner, for want of readers, or at shutdown). */
  CANCELLED,
  /** The answer failed (upstream error, deadline, log limit). */
  FAILED;

  /**
   * Whether the run has ended.
   *
   * @return {@code true} for every state but {@link #RUNNING}
   */
  public boolean isFinished() {
    return this != RUNNING;
  }
}
