package dev.llmstream.core;

/**
 * The life cycle of one {@link TokenStream}.
 *
 * <pre>
 * CONNECTING → WAITING_FIRST_TOKEN → STREAMING ⇄ RECOVERING
 *      │                │                │
 *      └────────────────┴────────────────┴──→ COMPLETED | CANCELLED | FAILED
 * </pre>
 *
 * <p>Any non-terminal state may go straight to a terminal one; {@code CONNECTING} may go straight to
 * {@code STREAMING} (a provider that sends no waiting signal) and {@code RECOVERING} back to
 * {@code WAITING_FIRST_TOKEN} for a new attempt. Terminal states are final. The allowed moves are given
 * by {@link #canMoveTo(StreamState)}; a stream never makes any other. Immutable and thread-safe.
 */
public enum StreamState {
  /** Subscribed; the request is being prepared or the connection opened. */
  CONNECTING,
  /** The request was sent; no token has arrived yet. */
  WAITING_FIRST_TOKEN,
  /** Tokens are arriving. */
  STREAMING,
  /** The connection broke mid-answer and the stream is resuming it. */
  RECOVERING,
  /** The answer finished and was delivered whole. */
  COMPLETED,
  /** The subscriber or a {@link CancellationToken} stopped the stream. */
  CANCELLED,
  /** The stream ended with an error. */
  FAILED;

  /**
   * Whether this state is final.
   *
   * @return {@code true} for {@link #COMPLETED}, {@link #CANCELLED} and {@link #FAILED}
   */
  public boolean isTerminal() {
    return this == COMPLETED || this == CANCELLED || this == FAILED;
  }

  /**
   * Whether a stream in this state may move to {@code next}.
   *
   * @param next the candidate next state
   * @return {@code true} if the transition is allowed
   */
  public boolean canMoveTo(StreamState next) {
    if (isTerminal() || next == this || next == CONNECTING) {
      return false;
    }
    if (next.isTerminal()) {
      return true;
    }
    switch (this) {
      case CONNECTING:
        return next == WAITING_FIRST_TOKEN || next == STREAMING;
      case WAITING_FIRST_TOKEN:
        return next == STREAMING || next == RECOVERING;
      case STREAMING:
        return next == RECOVERING;
      case RECOVERING:
        return next == STREAMING || next == WAITING_FIRST_TOKEN;
      default:
        return false;
    }
  }
}
