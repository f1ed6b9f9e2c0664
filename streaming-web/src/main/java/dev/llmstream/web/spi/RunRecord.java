package dev.llmstream.web.spi;

import java.util.Map;
import java.util.Objects;

/**
 * A run's metadata as a store keeps it. Immutable.
 *
 * <p>{@code attributes} is for the application and for stores that need more to continue a run elsewhere
 * (a Redis store keeps the serialized request there, for instance); keys and values are plain strings.
 * {@link #toString()} leaves out the owner and the attributes (user data).
 *
 * @param runId the run id (URL-safe, unguessable)
 * @param owner the opaque owner (user id, session) given when the run was started
 * @param slot the owner's conversation the run belongs to: an owner has at most one running run per slot
 * @param status the current state
 * @param createdAtMillis when the run was created, in milliseconds of the store's clock (for display)
 * @param attributes extra metadata
 */
public record RunRecord(
    String runId,
    String owner,
    String slot,
    RunStatus status,
    long createdAtMillis,
    Map<String, String> attributes) {

  /**
   * Validates and copies.
   *
   * @param runId the run id (URL-safe, unguessable)
   * @param owner the opaque owner (user id, session) given when the run was started
   * @param slot the owner's conversation the run belongs to: an owner has at most one running run per slot
   * @param status the current state
   * @param createdAtMillis when the run was created, in milliseconds of the store's clock (for display)
   * @param attributes extra metadata
   * @throws NullPointerException if a component is null
   */
  public RunRecord {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(slot, "slot");
    Objects.requireNonNull(status, "status");
    attributes = Map.copyOf(attributes);
  }

  /**
   * This record with another status.
   *
   * @param next the new status
   * @return a copy
   */
  public RunRecord withStatus(RunStatus next) {
    return new RunRecord(runId, owner, slot, next, createdAtMillis, attributes);
  }

  @Override
  public String toString() {
    return "RunRecord[runId=" + runId + ", status=" + status + "]";
  }
}
