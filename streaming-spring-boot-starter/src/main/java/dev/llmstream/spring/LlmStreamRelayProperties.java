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
 * @param lease the producer's lease in a shared store (Redis), renewed at a third of it: a run whose
 *     instance died is taken over after about this long (default 10 s)
 * @param redis the Redis run store, used when {@code llmstream.relay.redis.url} is set
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
    @Nullable Duration deadline,
    @Nullable Duration lease,
    @NestedConfigurationProperty @DefaultValue Redis redis) {

  /**
   * {@code llmstream.relay.redis.*}: the {@code streaming-redis} run store, auto-configured when
   * {@code url} is set and {@code dev.llmstream:streaming-redis} is on the class path. Unset values keep
   * {@code RedisRunStore.Builder}'s defaults. {@link #toString()} never shows the URL's password.
   *
   * @param url the Redis URI ({@code redis://[[user]:password@]host:port[/db]}, {@code rediss://} for
   *     TLS); masked at the actuator's {@code /env} and {@code /configprops} as far as its password goes
   * @param keyPrefix the prefix of every key and channel (default {@code llmstream:})
   * @param lanes connections that multiplex the readers' blocking reads (default 2)
   * @param maxLogLength the approximate cap of a run's stream (default 20,000; keep it at or above
   *     {@code max-events-per-run})
   * @param operationTimeout how long a reader-facing call waits for Redis (default 5 s)
   * @param outageLimit how long a waiting reader survives a Redis outage (default 10 s)
   * @param writeRetryLimit how long a producer write is retried while Redis is unreachable (default 1 min)
   * @param claimGrace how long a new run's producer has to claim it (default 10 s)
   * @param requestQueueSize the most commands queued per connection while Redis is unreachable
   *     (default 100,000)
   * @param watchEvery how often this instance looks for runs whose producer lease lapsed, to take them
   *     over (default 500 ms)
   * @param healthTimeout how long the health indicator's {@code PING} may take (default 2 s)
   */
  public record Redis(
      @Nullable String url,
      @Nullable String keyPrefix,
      @Nullable Integer lanes,
      @Nullable Long maxLogLength,
      @Nullable Duration operationTimeout,
      @Nullable Duration outageLimit,
      @Nullable Duration writeRetryLimit,
      @Nullable Duration claimGrace,
      @Nullable Integer requestQueueSize,
      @DefaultValue("500ms") Duration watchEvery,
      @DefaultValue("2s") Duration healthTimeout) {

    /**
     * The URL with its password (if any) replaced by {@code ******}.
     *
     * @param url a Redis URI, or null
     * @return the masked URI, or null
     */
    public static @Nullable String masked(@Nullable String url) {
      if (url == null) {
        return null;
      }
      int scheme = url.indexOf("://");
      int at = url.lastIndexOf('@');
      if (scheme < 0 || at < scheme) {
        return url;
      }
      String userInfo = url.substring(scheme + 3, at);
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? "" : userInfo.substring(0, colon);
      return url.substring(0, scheme + 3) + user + ":******" + url.substring(at);
    }

    @Override
    public String toString() {
      return "Redis[url=" + masked(url) + ", keyPrefix=" + keyPrefix + "]";
    }
  }

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
