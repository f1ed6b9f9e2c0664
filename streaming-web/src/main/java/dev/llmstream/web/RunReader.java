package dev.llmstream.web;

import java.util.Map;

/**
 * A browser's request for a run's events, checked and ready: the adapter answers {@code 204} when
 * {@link #hasMore()} is false, else sends status 200 with {@link #HEADERS} and calls {@link #start(SseSink)}.
 * Obtained from {@link AnswerRuns#open(String, String, long)}; use once.
 */
public interface RunReader {
  /** The response headers of an event stream ({@code docs/WEB-PROTOCOL.md} §2). */
  Map<String, String> HEADERS =
      Map.of(
          "Content-Type", "text/event-stream; charset=utf-8",
          "Cache-Control", "no-store",
          "X-Accel-Buffering", "no",
          "X-LLMStream-Protocol", "1");

  /**
   * Whether there is anything after the resume point: {@code false} when the reader already has the run's
   * {@code done} event (answer {@code 204 No Content} so the browser stops reconnecting).
   *
   * @return whether to stream
   */
  boolean hasMore();

  /**
   * Starts relaying to {@code sink}: the preamble, then the events after the resume point, live, with
   * heartbeats, until the {@code done} event (then the sink is closed) or the client leaves.
   *
   * @param sink the connection's body
   * @return the handle to report the client's close
   * @throws IllegalStateException if called twice
   */
  SseConnection start(SseSink sink);
}
