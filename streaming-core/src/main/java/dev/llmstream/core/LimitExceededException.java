package dev.llmstream.core;

import org.jspecify.annotations.Nullable;

/**
 * A configured limit was exceeded (SSE line length, event size, answer size, tool-call argument size, concurrent streams). The message names the limit and the setting that raises it.
 *
 * <p>See {@link StreamException} for what every stream error carries.
 */
public class LimitExceededException extends StreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do about it (no secrets)
   * @param status the HTTP status, or {@link #NO_STATUS}
   * @param requestId the provider's request id, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public LimitExceededException(String message, int status, @Nullable String requestId, @Nullable Throwable cause) {
    super(ErrorKind.LIMIT_EXCEEDED, message, status, requestId, cause);
  }
}
