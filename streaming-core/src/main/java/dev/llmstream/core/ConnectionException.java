package dev.llmstream.core;

import org.jspecify.annotations.Nullable;

/**
 * The connection could not be opened or broke (I/O error, reset, end of stream before the answer finished).
 *
 * <p>See {@link StreamException} for what every stream error carries.
 */
public class ConnectionException extends StreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do about it (no secrets)
   * @param status the HTTP status, or {@link #NO_STATUS}
   * @param requestId the provider's request id, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public ConnectionException(String message, int status, @Nullable String requestId, @Nullable Throwable cause) {
    super(ErrorKind.CONNECTION, message, status, requestId, cause);
  }
}
