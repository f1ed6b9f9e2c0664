package dev.llmstream.core;

import org.jspecify.annotations.Nullable;

/**
 * The provider rejected the request (HTTP 400, 404, 413 or 422), with the server's message: change the request (model name, size, tool schema). Never retried.
 *
 * <p>See {@link StreamException} for what every stream error carries.
 */
public class BadRequestException extends StreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do about it (no secrets)
   * @param status the HTTP status, or {@link #NO_STATUS}
   * @param requestId the provider's request id, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public BadRequestException(String message, int status, @Nullable String requestId, @Nullable Throwable cause) {
    super(ErrorKind.BAD_REQUEST, message, status, requestId, cause);
  }
}
