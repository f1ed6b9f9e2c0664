package dev.llmstream.core;

import org.jspecify.annotations.Nullable;

/**
 * The provider reported an error inside an HTTP 200 stream (Groq: an {@code event: error} frame whose
 * data is {@code {"error": {"message", "type", "code", "status_code"}}}, then the body ends without
 * {@code [DONE]}). {@link #status()} is the {@code status_code} inside the error when given.
 *
 * <p>See {@link StreamException} for what every stream error carries.
 */
public class UpstreamErrorException extends StreamException {
  private static final long serialVersionUID = 1L;

  /** The provider's error type, or {@code null}. */
  private final @Nullable String type;
  /** The provider's error code, or {@code null}. */
  private final @Nullable String code;

  /**
   * Creates the exception.
   *
   * @param message the provider's error message
   * @param status the {@code status_code} inside the error, or {@link #NO_STATUS}
   * @param requestId the provider's request id, or {@code null}
   * @param type the provider's error type (such as {@code invalid_request_error}), or {@code null}
   * @param code the provider's error code (such as {@code tool_use_failed}), or {@code null}
   */
  public UpstreamErrorException(
      String message,
      int status,
      @Nullable String requestId,
      @Nullable String type,
      @Nullable String code) {
    super(ErrorKind.UPSTREAM, message, status, requestId, null);
    this.type = type;
    this.code = code;
  }

  /**
   * The provider's error type.
   *
   * @return the type, or {@code null}
   */
  public @Nullable String type() {
    return type;
  }

  /**
   * The provider's error code.
   *
   * @return the code, or {@code null}
   */
  public @Nullable String code() {
    return code;
  }

  /** Retryable when the provider's status says the server side failed (5xx, 429, 498). */
  @Override
  public boolean isRetryable() {
    int s = status();
    return s == 429 || s == 498 || s >= 500;
  }
}
