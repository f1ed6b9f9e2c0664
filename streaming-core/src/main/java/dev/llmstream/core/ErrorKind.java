package dev.llmstream.core;

/**
 * The kind of a {@link StreamException}, for a {@code switch} in UI code (which message to show, whether
 * to offer "Retry"). Immutable and thread-safe.
 */
public enum ErrorKind {
  /** The API key is missing, wrong or lacks permission (HTTP 401/403). Not retryable. */
  AUTHENTICATION(false),
  /** The request was rejected (HTTP 400/404/413/422): fix the request. Not retryable. */
  BAD_REQUEST(false),
  /** The caller exceeded a rate limit (HTTP 429); retry after the advertised delay. */
  RATE_LIMITED(true),
  /** The provider is over capacity (HTTP 498/503). */
  CAPACITY(true),
  /** The provider failed (HTTP 5xx). */
  SERVER(true),
  /** Connecting, waiting for the first token, or waiting between chunks took too long. */
  TIMEOUT(true),
  /** The network connection failed or broke. */
  CONNECTION(true),
  /** The server sent something that is not a valid stream (malformed SSE or JSON). */
  PROTOCOL(false),
  /** The server reported an error inside an otherwise successful (HTTP 200) stream. */
  UPSTREAM(false),
  /** A configured limit (line length, answer size, ...) was exceeded. */
  LIMIT_EXCEEDED(false),
  /** The caller's own code (a UI sink or subscriber) threw. */
  CALLER(false),
  /** Anything else, such as a bug; the cause says more. */
  UNKNOWN(false);

  private final boolean retryable;

  ErrorKind(boolean retryable) {
    this.retryable = retryable;
  }

  /**
   * Whether an error of this kind is worth retrying by default.
   *
   * @return {@code true} if retrying the same request may succeed
   */
  public boolean isRetryable() {
    return retryable;
  }
}
