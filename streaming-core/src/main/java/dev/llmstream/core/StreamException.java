package dev.llmstream.core;

import dev.llmstream.core.internal.CoreAccess;
import dev.llmstream.core.internal.retry.RetryModel;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one unchecked type for everything that can go wrong with a stream; {@link #kind()} says what went
 * wrong and serves a {@code switch}. The only subclass is {@link RateLimitException}, which carries the
 * server's advised delay. Kind-specific details are accessors here: {@link #timeoutPhase()} and
 * {@link #timeout()} for {@link ErrorKind#TIMEOUT}, {@link #errorType()} and {@link #errorCode()} for
 * {@link ErrorKind#UPSTREAM}.
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

  static {
    CoreAccess.registerPartialAttacher(StreamException::attachPartial);
  }

  /** What went wrong. */
  private final ErrorKind kind;
  /** The HTTP status, or {@link #NO_STATUS}. */
  private final int status;
  /** The provider's request id, or {@code null}. */
  private final @Nullable String requestId;
  /** The state whose timer expired ({@link ErrorKind#TIMEOUT} only), or {@code null}. */
  private final @Nullable StreamState timeoutPhase;
  private final transient @Nullable Duration timeout;
  /** The provider's error type ({@link ErrorKind#UPSTREAM} only), or {@code null}. */
  private final @Nullable String errorType;
  /** The provider's error code ({@link ErrorKind#UPSTREAM} only), or {@code null}. */
  private final @Nullable String errorCode;
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
    this(kind, message, status, requestId, cause, null, null, null, null);
  }

  private StreamException(
      ErrorKind kind,
      String message,
      int status,
      @Nullable String requestId,
      @Nullable Throwable cause,
      @Nullable StreamState timeoutPhase,
      @Nullable Duration timeout,
      @Nullable String errorType,
      @Nullable String errorCode) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.status = status;
    this.requestId = requestId;
    this.timeoutPhase = timeoutPhase;
    this.timeout = timeout;
    this.errorType = errorType;
    this.errorCode = errorCode;
  }

  /**
   * A {@link ErrorKind#TIMEOUT}: one of the stream's timers expired. The timer is named by the state it
   * guards: {@link StreamState#CONNECTING} (no connection within the connect timeout),
   * {@link StreamState#WAITING_FIRST_TOKEN} (the request was sent but no token came) or
   * {@link StreamState#STREAMING} (the answer started, then no new content (text, reasoning, tool call)
   * arrived for the idle timeout; keep-alive comments and empty chunks are data but not progress).
   *
   * @param phase the state whose timer expired: {@code CONNECTING}, {@code WAITING_FIRST_TOKEN} or
   *     {@code STREAMING}
   * @param timeout the configured timeout that expired
   * @param requestId the provider's request id, or {@code null}
   * @param cause the underlying exception, or {@code null}
   * @return the exception
   * @throws NullPointerException if {@code phase} or {@code timeout} is null
   * @throws IllegalArgumentException if {@code phase} is not one of the three timed states
   */
  public static StreamException timeout(
      StreamState phase, Duration timeout, @Nullable String requestId, @Nullable Throwable cause) {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(timeout, "timeout");
    String message;
    switch (phase) {
      case CONNECTING:
        message = "No connection within the connect timeout of " + timeout.toMillis() + " ms";
        break;
      case WAITING_FIRST_TOKEN:
        message = "No token within the first-token timeout of " + timeout.toMillis() + " ms";
        break;
      case STREAMING:
        message = "No new content for the idle timeout of " + timeout.toMillis()
            + " ms after the answer started (keep-alive comments and empty chunks are not progress)";
        break;
      default:
        throw new IllegalArgumentException(
            "phase must be CONNECTING, WAITING_FIRST_TOKEN or STREAMING (the timed states), was " + phase);
    }
    return new StreamException(
        ErrorKind.TIMEOUT, message, NO_STATUS, requestId, cause, phase, timeout, null, null);
  }

  /**
   * An {@link ErrorKind#UPSTREAM} error: the provider reported an error inside an HTTP 200 stream (Groq:
   * an {@code event: error} frame whose data is {@code {"error": {"message", "type", "code",
   * "status_code"}}}). Retryable when {@code status} says the server side failed (5xx, 429, 498).
   *
   * @param message the provider's error message (no secrets)
   * @param status the {@code status_code} inside the error, or {@link #NO_STATUS}
   * @param requestId the provider's request id, or {@code null}
   * @param errorType the provider's error type (such as {@code invalid_request_error}), or {@code null}
   * @param errorCode the provider's error code (such as {@code tool_use_failed}), or {@code null}
   * @return the exception
   * @throws NullPointerException if {@code message} is null
   */
  public static StreamException upstream(
      String message,
      int status,
      @Nullable String requestId,
      @Nullable String errorType,
      @Nullable String errorCode) {
    return new StreamException(
        ErrorKind.UPSTREAM, message, status, requestId, null, null, null, errorType, errorCode);
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
   * For a {@link ErrorKind#TIMEOUT}, which timer expired, named by the state it guards (see
   * {@link #timeout(StreamState, Duration, String, Throwable)}).
   *
   * @return {@code CONNECTING}, {@code WAITING_FIRST_TOKEN} or {@code STREAMING}; {@code null} for other
   *     kinds
   */
  public @Nullable StreamState timeoutPhase() {
    return timeoutPhase;
  }

  /**
   * For a {@link ErrorKind#TIMEOUT}, the configured timeout that expired.
   *
   * @return the timeout; {@code null} for other kinds
   */
  public @Nullable Duration timeout() {
    return timeout;
  }

  /**
   * For an {@link ErrorKind#UPSTREAM} error, the provider's error type.
   *
   * @return the type (such as {@code invalid_request_error}), or {@code null}
   */
  public @Nullable String errorType() {
    return errorType;
  }

  /**
   * For an {@link ErrorKind#UPSTREAM} error, the provider's error code.
   *
   * @return the code (such as {@code tool_use_failed}), or {@code null}
   */
  public @Nullable String errorCode() {
    return errorCode;
  }

  /**
   * Whether retrying the same request may help (for a "Retry" button): rate limit, capacity, server,
   * timeout and connection failures; an {@link ErrorKind#UPSTREAM} error when its {@link #status()} says the
   * server side failed (5xx, 429, 498). The same answer decides which failures after the first token a
   * stream recovers from on its own ({@link RecoveryPolicy}).
   *
   * @return {@code true} if retryable
   */
  public boolean isRetryable() {
    return RetryModel.isRetryable(kind, status);
  }

  /** Set by the stream runtime (through {@link CoreAccess}) when it signals this exception; first wins. */
  private void attachPartial(ChatResponse answer) {
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
