package dev.llmstream.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one unchecked type for everything that can go wrong with a stream. Subclasses exist per
 * {@link ErrorKind} for {@code catch} clauses; {@link #kind()} serves a {@code switch}.
 *
 * <p>Every instance carries what the stream had delivered before it failed ({@link #partial()}), the HTTP
 * status and the provider's request id when known. Messages never contain secrets (API keys,
 * {@code Authorization} headers) nor more than a short excerpt of a response body.
 *
 * <p>Instances are safe to publish between threads once thrown or signalled.
 */
public class StreamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The status value used when no HTTP status applies. */
  public static final int NO_STATUS = -1;

  /** What went wrong. */
  private final ErrorKind kind;
  /** The HTTP status, or {@link #NO_STATUS}. */
  private final int status;
  /** The provider's request id, or {@code null}. */
  private final @Nullable String requestId;
  private transient volatile ChatResponse partial = ChatResponse.EMPTY;

  /**
   * Creates an exception.
   *
   * @param kind the kind of failure
   * @param message what went wrong and what to do about it (no secrets)
   * @param status the HTTP status, or {@link #NO_STATUS}
   * @param requestId the provider's request id, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public StreamException(
      ErrorKind kind,
      String message,
      int status,
      @Nullable String requestId,
      @Nullable Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.status = status;
    this.requestId = requestId;
  }

  /**
   * The kind of failure.
   *
   * @return the kind
   */
  public ErrorKind kind() {
    return kind;
  }

  /**
   * The HTTP status of the response that failed, or {@link #NO_STATUS}. For an error sent inside a 200
   * stream this is the status the provider reported in the error object, when it did.
   *
   * @return the status
   */
  public int status() {
    return status;
  }

  /**
   * The provider's request id (Groq's {@code x-request-id} / {@code x_groq.id}), useful for support.
   *
   * @return the id, or {@code null} when unknown
   */
  public @Nullable String requestId() {
    return requestId;
  }

  /**
   * What the stream had delivered to its subscriber before failing, with finish reason
   * {@link FinishReason#ERROR}. Empty when the failure came before any token.
   *
   * @return the partial answer
   */
  public ChatResponse partial() {
    return partial;
  }

  /**
   * Whether retrying the same request may help. Defaults to {@link ErrorKind#isRetryable()}.
   *
   * @return {@code true} if retryable
   */
  public boolean isRetryable() {
    return kind.isRetryable();
  }

  /** Set by the stream runtime when it signals this exception; the first value wins. */
  final void attachPartial(ChatResponse answer) {
    if (partial == ChatResponse.EMPTY) {
      partial = answer;
    }
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(getClass().getName()).append(": [").append(kind);
    if (status != NO_STATUS) {
      sb.append(", status ").append(status);
    }
    if (requestId != null) {
      sb.append(", request ").append(requestId);
    }
    return sb.append("] ").append(getMessage()).toString();
  }
}
