package dev.llmstream.web.spi;

/**
 * A store operation could not be done; {@link #reason()} says why. The message says what to do and never
 * contains an owner or user text. Thread-safe once thrown.
 */
public class RunStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why an operation failed. */
  public enum Reason {
    /** No such run (never created, or expired after its TTL). */
    UNKNOWN_RUN,
    /** The owner already has a running run in this slot ({@link RunStore#create}). */
    SLOT_BUSY,
    /** The owner already has as many running runs as allowed ({@link RunStore#create}). */
    OWNER_LIMIT,
    /** The run id is taken ({@link RunStore#create}). */
    DUPLICATE_ID,
    /** An appended id is not greater than the last stored one, or the run has ended. */
    OUT_OF_ORDER,
    /** The producer does not hold the run's lease: another one continues the run. */
    LEASE_LOST,
    /** The store cannot be reached or failed; retrying later may work. */
    UNAVAILABLE
  }

  /** Why the store refused or failed. */
  private final Reason reason;

  /**
   * Creates an exception.
   *
   * @param reason why
   * @param message what happened and what to do
   */
  public RunStoreException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /**
   * Creates an exception with a cause.
   *
   * @param reason why
   * @param message what happened and what to do
   * @param cause the underlying failure
   */
  public RunStoreException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /**
   * Why the operation failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
