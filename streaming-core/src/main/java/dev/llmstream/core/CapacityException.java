package dev.llmstream.core;

import org.jspecify.annotations.Nullable;

/**
 * The provider is over capacity (HTTP 498 flex-tier capacity or 503). Retried before the first token unless configured otherwise.
 *
 * <p>See {@link StreamException} for what every stream error carries.
 */
public class CapacityException extends StreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do about it (no secrets)
   * @param status the HTTP status, or {@link #NO_STATUS}
   * @param requestId the provider's request id, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public CapacityException(String message, int status, @Nullable String requestId, @Nullable Throwable cause) {
    super(ErrorKind.CAPACITY, message, status, requestId, cause);
  }
}
