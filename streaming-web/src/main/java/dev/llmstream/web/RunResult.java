package dev.llmstream.web;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.StreamException;
import dev.llmstream.web.spi.RunStatus;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a run ended, handed to {@link RunListener#onFinished(RunResult)}. Immutable.
 *
 * @param runId the run
 * @param owner its owner
 * @param slot its conversation slot
 * @param status COMPLETED, CANCELLED or FAILED
 * @param response the answer (partial unless COMPLETED)
 * @param error the failure when FAILED
 * @param stoppedBy why it was stopped when CANCELLED ({@code user}, {@code abandoned}, {@code shutdown})
 */
public record RunResult(
    String runId,
    String owner,
    String slot,
    RunStatus status,
    ChatResponse response,
    @Nullable StreamException error,
    @Nullable String stoppedBy) {

  /**
   * Validates.
   *
   * @param runId the run
   * @param owner its owner
   * @param slot its conversation slot
   * @param status COMPLETED, CANCELLED or FAILED
   * @param response the answer (partial unless COMPLETED)
   * @param error the failure when FAILED
   * @param stoppedBy why it was stopped when CANCELLED ({@code user}, {@code abandoned}, {@code shutdown})
   * @throws NullPointerException if a non-null component is null
   */
  public RunResult {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(slot, "slot");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(response, "response");
  }

  @Override
  public String toString() {
    return "RunResult[runId=" + runId + ", status=" + status + ", chars=" + response.text().length() + "]";
  }
}
