package dev.llmstream.core;

import org.jspecify.annotations.Nullable;

/**
 * The server sent something that is not a valid chat-completion stream: malformed SSE, invalid JSON in a chunk, an unexpected content type.
 *
 * <p>See {@link StreamException} for what every stream error carries.
 */
public class ProtocolException extends StreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do about it (no secrets)
   * @param status the HTTP status, or {@link #NO_STATUS}
   * @param requestId the provider's request id, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public ProtocolException(String message, int status, @Nullable String requestId, @Nullable Throwable cause) {
    super(ErrorKind.PROTOCOL, message, status, requestId, cause);
  }
}
