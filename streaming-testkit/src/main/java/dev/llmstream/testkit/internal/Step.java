package dev.llmstream.testkit.internal;

import org.jspecify.annotations.Nullable;

/**
 * One step of a response: wait {@code delayNanos}, write {@code bytes} (if any), then do {@code after}.
 *
 * @param delayNanos the wait before this step, counted from the end of the previous one
 * @param bytes what to write (already framed for HTTP), or {@code null}
 * @param events how many SSE data events the bytes carry (for the connection record)
 * @param after what follows the write
 */
public record Step(long delayNanos, byte @Nullable [] bytes, int events, After after) {
  /** What a step does after its write. */
  public enum After {
    /** Go on with the next step. */
    CONTINUE,
    /** The response is complete; the connection may serve the next request. */
    END,
    /** Write nothing more and keep the connection open. */
    STALL,
    /** Close the connection abruptly, in the middle of the response. */
    CUT
  }
}
