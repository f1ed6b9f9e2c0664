package dev.llmstream.groq;

/**
 * The defaults of {@link GroqProvider.Builder}, written once: the builder's documentation refers to these
 * constants. Constants only; no instances.
 */
public final class GroqDefaults {
  private GroqDefaults() {
    throw new AssertionError("no instances");
  }

  /** Connect timeout of the provider's own HTTP client, in seconds: {@value}. */
  public static final long CONNECT_TIMEOUT_SECONDS = 10;

  /** From sending a request to its first token, in seconds: {@value}. */
  public static final long FIRST_TOKEN_TIMEOUT_SECONDS = 60;

  /** The longest silence between content events after the first token, in seconds: {@value}. */
  public static final long IDLE_TIMEOUT_SECONDS = 30;

  /** Retries of one request before its first token: {@value}. */
  public static final int MAX_RETRIES = 2;

  /** The cap on one retry delay, the server's advice included, in seconds: {@value}. */
  public static final long MAX_RETRY_DELAY_SECONDS = 60;

  /** The delay before the first retry (before jitter), in milliseconds: {@value}; it doubles per retry. */
  public static final long RETRY_INITIAL_BACKOFF_MILLIS = 500;

  /** The longest retry backoff (before jitter), in milliseconds: {@value}. */
  public static final long RETRY_MAX_BACKOFF_MILLIS = 8000;

  /** The most a retry backoff is shortened at random, as a fraction: {@value}. */
  public static final double RETRY_JITTER = 0.25;

  /** The longest one answer may go without new content, all its requests included, in seconds: {@value}. */
  public static final long STALL_TIMEOUT_SECONDS = 120;

  /** The most HTTP requests one answer may cost: {@value}. */
  public static final int MAX_REQUESTS_PER_ANSWER = 6;

  /** How long a finished answer waits for its trailing usage chunk, in milliseconds: {@value}. */
  public static final long FINISH_GRACE_MILLIS = 2000;

  /** The longest SSE line (and, unless set apart, SSE event data), in bytes: {@value}. */
  public static final int MAX_LINE_LENGTH = 1024 * 1024;

  /** The most text plus reasoning characters of one answer: {@value}. */
  public static final int MAX_ANSWER_CHARS = 4 * 1024 * 1024;

  /** The most tool-call characters (arguments, ids, names) of one answer: {@value}. */
  public static final int MAX_TOOL_ARGUMENT_CHARS = 1024 * 1024;
}
