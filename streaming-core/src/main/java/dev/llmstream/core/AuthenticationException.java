package dev.llmstream.core;

import org.jspecify.annotations.Nullable;

/**
 * The provider rejected the credentials (HTTP 401 or 403): set a valid API key. Never retried.
 *
 * <p>See {@link StreamException} for what every stream error carries.
 */
public class AuthenticationException extends StreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do about it (no secrets)
   * @param status the HTTP status, or {@link #NO_STATUS}
   * @param requestId the provider's request id, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public AuthenticationException(String message, int status, @Nullable String requestId, @Nullable Throwable cause) {
    super(ErrorKind.AUTHENTICATION, message, status, requestId, cause);
  }
}
