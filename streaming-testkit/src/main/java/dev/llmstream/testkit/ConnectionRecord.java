package dev.llmstream.testkit;

/**
 * How one response of {@link FakeGroqServer} went, as seen by the server: one record per request, in
 * the order of {@link FakeGroqServer#requests()}.
 *
 * <pre>{@code
 * ConnectionRecord c = server.awaitEnded(0, Duration.ofSeconds(5));
 * assertThat(c.ending()).isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
 * assertThat(c.chunksSent()).isEqualTo(3);
 * }</pre>
 *
 * <p>Immutable and thread-safe (a snapshot).
 *
 * @param requestIndex the request this response answered (see {@link RecordedRequest#index()})
 * @param status the HTTP status sent
 * @param ending how it ended so far
 * @param chunksSent the SSE events written (the first is the role chunk; comments and garbage do not count)
 * @param stalled whether a {@code stallAfter} fault stopped the response
 */
public record ConnectionRecord(int requestIndex, int status, Ending ending, int chunksSent, boolean stalled) {

  /** How a response ended. */
  public enum Ending {
    /** Still being sent, or stalled with the connection open. */
    OPEN,
    /** Sent completely (for a stream: through {@code [DONE]} or the error event, and the last HTTP chunk). */
    COMPLETED,
    /** Cut by the server on purpose ({@code disconnectAfter}): no terminating chunk. */
    CUT,
    /** The client closed the connection (or reset it) before the response was complete. */
    CLOSED_BY_CLIENT,
    /** The server was closed while the response was open. */
    SERVER_CLOSED
  }
}
