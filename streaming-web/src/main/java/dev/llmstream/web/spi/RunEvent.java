package dev.llmstream.web.spi;

import java.util.Objects;

/**
 * One event of a run's log, as stored and as sent to browsers (see {@code docs/WEB-PROTOCOL.md}).
 *
 * <p>Ids are assigned by the run's producer: strictly increasing within a run, the first is 1. A store
 * keeps them as given (a Redis store may use them as stream entry ids {@code 0-<id>}). Immutable.
 *
 * @param id the event id, at least 1
 * @param type the SSE event name, one of the constants of this record ({@code text}, {@code done}, ...)
 * @param data one line of JSON (no line breaks)
 */
public record RunEvent(long id, String type, String data) {
  /** {@code {"on":true|false}}. */
  public static final String TYPING = "typing";
  /** {@code {"t":"..."}}. */
  public static final String TEXT = "text";
  /** {@code {"t":"..."}}. */
  public static final String REASONING = "reasoning";
  /** {@code {"tokens","tokensPerSecond","percentOfMax"}}. */
  public static final String PROGRESS = "progress";
  /** {@code {"attempt","cause"}}. */
  public static final String RECOVERING = "recovering";
  /** {@code {"text","reasoning"}}. */
  public static final String REPLACED = "replaced";
  /** {@code {"state","finishReason","error","usage","stoppedBy"}}; the last event of a run. */
  public static final String DONE = "done";

  /**
   * Validates the event.
   *
   * @param id the event id, at least 1
   * @param type the SSE event name, one of the constants of this record ({@code text}, {@code done}, ...)
   * @param data one line of JSON (no line breaks)
   * @throws IllegalArgumentException if {@code id < 1} or {@code data} contains a line break
   * @throws NullPointerException if {@code type} or {@code data} is null
   */
  public RunEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    if (id < 1) {
      throw new IllegalArgumentException("id must be >= 1, was " + id);
    }
    if (data.indexOf('\n') >= 0 || data.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("data must be one line (JSON without raw line breaks)");
    }
  }

  /**
   * Whether this is the run's last event.
   *
   * @return {@code true} for {@link #DONE}
   */
  public boolean isDone() {
    return DONE.equals(type);
  }

  /**
   * A short description without the data (which may hold a user's text).
   *
   * @return such as {@code RunEvent[id=3, type=text, 12 chars]}
   */
  @Override
  public String toString() {
    return "RunEvent[id=" + id + ", type=" + type + ", " + data.length() + " chars]";
  }
}
