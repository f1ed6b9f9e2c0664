package dev.llmstream.core;

import org.jspecify.annotations.Nullable;

/**
 * The caller's own code (a UI sink or a subscriber) threw; the cause is that exception. The stream was cancelled because of it.
 *
 * <p>See {@link StreamException} for what every stream error carries.
 */
public class CallerException extends StreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do about it (no secrets)
   * @param status the HTTP status, or {@link #NO_STATUS}
   * @param requestId the provider's request id, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public CallerException(String message, int status, @Nullable String requestId, @Nullable Throwable cause) {
    super(ErrorKind.CALLER, message, status, requestId, cause);
  }
}
