package dev.llmstream.spring.redis;

import dev.llmstream.core.StreamScheduler;
import dev.llmstream.redis.RedisRunStore;
import dev.llmstream.spring.LlmStreamAutoConfiguration;
import dev.llmstream.spring.LlmStreamRelayProperties;
import dev.llmstream.spring.internal.TimerThread;
import dev.llmstream.spring.internal.RedisPing;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.spi.RunStore;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Runs shared through Redis, when {@code llmstream.relay.redis.url} is set and
 * {@code dev.llmstream:streaming-redis} is on the class path (and the application defines no
 * {@link RunStore} of its own): a {@link RedisRunStore} from {@code llmstream.relay.redis.*}, which the
 * auto-configured {@link AnswerRuns} uses instead of the in-memory store; the lease watcher that lets this
 * instance take over the runs of an instance that died ({@code watch-every}); timers on a thread of their
 * own for the store and the runs; and the {@code PING} probe of the health indicator.
 *
 * <p>The store opens its own Lettuce connections from the URL rather than using a Spring Data Redis
 * connection factory: it needs connections with fixed roles (a write connection on its own I/O thread so
 * that reader traffic never delays a lease renewal, blocking-read lanes woken with {@code CLIENT UNBLOCK},
 * a pub/sub connection), which a shared or pooled Spring Data connection cannot give. To point both at one
 * Redis, set {@code llmstream.relay.redis.url=${spring.data.redis.url}}.
 *
 * <p>Lifecycle: at context close the watcher stops first, then the runs (which depend on the store), then
 * the store (its connections and the Lettuce client), then the timer thread.
 */
// Spring calls the @Bean methods, never user code: their internal types stay unexported by design.
@SuppressWarnings("exports")
@AutoConfiguration(before = LlmStreamAutoConfiguration.class)
@ConditionalOnClass(RedisRunStore.class)
@ConditionalOnProperty(prefix = "llmstream.relay.redis", name = "url")
@ConditionalOnMissingBean(RunStore.class)
@EnableConfigurationProperties(LlmStreamRelayProperties.class)
public class LlmStreamRedisAutoConfiguration {

  /** For Spring. */
  public LlmStreamRedisAutoConfiguration() {}

  /**
   * The thread behind {@link #llmstreamTimers}: lease renewals must not wait behind other work on the common
   * pool.
   *
   * @return the thread's holder, closed with the context after everything that times on it
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(name = "llmstreamTimers")
  public TimerThread llmstreamTimerThread() {
    return new TimerThread();
  }

  /**
   * Timers for the store and the runs, on a thread of their own.
   *
   * @param llmstreamTimerThread the thread they run on
   * @return the timers (the runs pick up this one {@link StreamScheduler} bean)
   */
  @Bean
  @ConditionalOnMissingBean(name = "llmstreamTimers")
  public StreamScheduler llmstreamTimers(TimerThread llmstreamTimerThread) {
    return llmstreamTimerThread.scheduler();
  }

  /**
   * The Redis run store; connects at startup (a Redis that cannot be reached fails the startup with what
   * to do, host and port only).
   *
   * @param relay the properties
   * @param llmstreamTimers the timers
   * @return the store, closed with the context after the runs
   */
  @Bean(destroyMethod = "close")
  public RedisRunStore llmstreamRedisRunStore(LlmStreamRelayProperties relay, StreamScheduler llmstreamTimers) {
    LlmStreamRelayProperties.Redis r = relay.redis();
    RedisRunStore.Builder b = RedisRunStore.builder(String.valueOf(r.url())).scheduler(llmstreamTimers);
    set(r.keyPrefix(), b::keyPrefix);
    set(r.lanes(), b::lanes);
    set(r.maxLogLength(), b::maxLogLength);
    set(r.operationTimeout(), b::operationTimeout);
    set(r.outageLimit(), b::outageLimit);
    set(r.writeRetryLimit(), b::writeRetryLimit);
    set(r.claimGrace(), b::claimGrace);
    set(r.requestQueueSize(), b::requestQueueSize);
    return b.build();
  }

  /**
   * Takes over, on this instance, runs whose producing instance died (their lease lapsed).
   *
   * @param store the store
   * @param runs the runs on it
   * @param relay the properties ({@code watch-every})
   * @return the watch, stopped first at context close
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(name = "llmstreamRedisLeaseWatch")
  public RunStore.Registration llmstreamRedisLeaseWatch(
      RedisRunStore store, AnswerRuns runs, LlmStreamRelayProperties relay) {
    return store.watchLeases(runs, relay.redis().watchEvery());
  }

  /**
   * The health indicator's Redis probe ({@code PING} on a connection of its own, opened at the first
   * check).
   *
   * @param relay the properties
   * @param store the store it reports on
   * @return the probe, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(name = "llmstreamRedisProbe")
  public RedisPing llmstreamRedisProbe(LlmStreamRelayProperties relay, RedisRunStore store) {
    return new RedisPing(String.valueOf(relay.redis().url()), relay.redis().healthTimeout());
  }

  private static <T> void set(@Nullable T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }
}
