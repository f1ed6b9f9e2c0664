package dev.llmstream.spring;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code llmstream.relay.*}: the auto-configured {@link dev.llmstream.web.AnswerRuns} and its HTTP
 * endpoints. Unset limits keep {@link dev.llmstream.web.AnswerRuns.Builder}'s defaults. Immutable.
 *
 * @param enabled whether the relay endpoints are registered (default true; the runs bean exists anyway)
 * @param paths the endpoint paths
 * @param systemPrompt a system message put before the user's message by the default
 *     {@link ChatRequestFactory}, or none
 * @param maxMessageChars the longest user message accepted by the chat endpoint (default 32,000)
 * @param maxRunningPerOwner answers one owner may have running at once
 * @param maxEventsPerRun the largest event log of a run
 * @param maxCharsPerRun the largest total event data of a run, in characters
 * @param finishedTtl how long a finished run stays readable
 * @param heartbeat how often an idle event stream gets a heartbeat
 * @param readerGrace how long a run may go without any reader before it is stopped
 * @param deadline the longest a run may take, or none
 */
@ConfigurationProperties("llmstream.relay")
public record LlmStreamRelayProperties(
    @DefaultValue("true") boolean enabled,
    @NestedConfigurationProperty @DefaultValue Paths paths,
    @Nullable String systemPrompt,
    @DefaultValue("32000") int maxMessageChars,
    @Nullable Integer maxRunningPerOwner,
    @Nullable Integer maxEventsPerRun,
    @Nullable Long maxCharsPerRun,
    @Nullable Duration finishedTtl,
    @Nullable Duration heartbeat,
    @Nullable Duration readerGrace,
    @Nullable Duration deadline) {

  /**
   * {@code llmstream.relay.paths.*}; {@code {id}} stands for the run id. The defaults are the {@code web}
   * example's contract ({@code docs/WEB-PROTOCOL.md} §4).
   *
   * @param chat {@code POST}: starts an answer, body {@code {"message": "...", "chat": "slot"}}, replies
   *     {@code {"run": id}} (default {@code /api/chat})
   * @param events {@code GET}: the run's event stream (default {@code /api/runs/{id}/events})
   * @param stop {@code POST}: stops the run (default {@code /api/runs/{id}/stop})
   */
  public record Paths(
      @DefaultValue(CHAT) String chat,
      @DefaultValue(EVENTS) String events,
      @DefaultValue(STOP) String stop) {}

  /** Default of {@link Paths#chat()}. */
  public static final String CHAT = "/api/chat";

  /** Default of {@link Paths#events()}. */
  public static final String EVENTS = "/api/runs/{id}/events";

  /** Default of {@link Paths#stop()}. */
  public static final String STOP = "/api/runs/{id}/stop";
}
