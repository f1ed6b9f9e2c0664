package dev.llmstream.core;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A timer of the stream expired: {@link Phase#CONNECT} (no connection), {@link Phase#FIRST_TOKEN} (the
 * request was sent but no token came) or {@link Phase#IDLE} (the answer started, then no bytes arrived).
 *
 * <p>See {@link StreamException} for what every stream error carries.
 */
public class StreamTimeoutException extends StreamException {
  private static final long serialVersionUID = 1L;

  /** Which timer expired. */
  public enum Phase {
    /** Opening the connection. */
    CONNECT,
    /** Waiting for the first token after the request was sent. */
    FIRST_TOKEN,
    /** Waiting for the next bytes of a started answer. */
    IDLE
  }

  /** Which wait timed out. */
  private final Phase phase;
  private final transient Duration timeout;

  /**
   * Creates the exception.
   *
   * @param phase which timer expired
   * @param timeout the configured timeout that expired
   * @param requestId the provider's request id, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public StreamTimeoutException(
      Phase phase, Duration timeout, @Nullable String requestId, @Nullable Throwable cause) {
    super(
        ErrorKind.TIMEOUT,
        describe(Objects.requireNonNull(phase, "phase"), Objects.requireNonNull(timeout, "timeout")),
        NO_STATUS,
        requestId,
        cause);
    this.phase = phase;
    this.timeout = timeout;
  }

  private static String describe(Phase phase, Duration timeout) {
    switch (phase) {
      case CONNECT:
        return "No connection within the connect timeout of " + timeout.toMillis() + " ms";
      case FIRST_TOKEN:
        return "No token within the first-token timeout of " + timeout.toMillis() + " ms";
      default:
        return "No data for the idle timeout of " + timeout.toMillis() + " ms after the answer started";
    }
  }

  /**
   * Which timer expired.
   *
   * @return the phase
   */
  public Phase phase() {
    return phase;
  }

  /**
   * The configured timeout that expired.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }
}
