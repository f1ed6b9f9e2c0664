package dev.llmstream.core;

/**
 * The kind of a {@link StreamException}, for a {@code switch} in UI code (which message to show, whether
 * to offer "Retry": {@link StreamException#isRetryable()}, which also looks at the status). Immutable and
 * thread-safe.
 */
public enum ErrorKind {
  /** The API key is missing, wrong or lacks permission (HTTP 401/403). */
  AUTHENTICATION,
  /** The request was rejected (HTTP 400/404/413/422): fix the request. */
  BAD_REQUEST,
  /** The caller exceeded a rate limit (HTTP 429); retry after the advertised delay. */
  RATE_LIMITED,
  /** The provider is over capacity (HTTP 498/503). */
  CAPACITY,
  /** The provider failed (HTTP 5xx). */
  SERVER,
  /** Connecting, waiting for the first token, or waiting between chunks took too long. */
  TIMEOUT,
  /** The network connection failed or broke. */
  CONNECTION,
  /** The server sent something that is not a valid stream (malformed SSE or JSON). */
  PROTOCOL,
  /** The server reported an error inside an otherwise successful (HTTP 200) stream. */
  UPSTREAM,
  /** A configured limit (line length, answer size, ...) was exceeded. */
  LIMIT_EXCEEDED,
  /** The caller's own code (a UI sink or subscriber) threw. */
  CALLER,
  /** Anything else, such as a bug; the cause says more. */
  UNKNOWN
}
