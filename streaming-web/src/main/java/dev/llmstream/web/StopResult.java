package dev.llmstream.web;

/** What {@link AnswerRuns#stop(String, String)} did. Immutable. */
public enum StopResult {
  /** The run was running; its producer was asked to stop and it will end with {@code done} CANCELLED. */
  STOPPING,
  /** The run had already ended; nothing changed. */
  ALREADY_FINISHED,
  /** No such run for this owner (unknown id, expired, or another owner's run). */
  NOT_FOUND
}
