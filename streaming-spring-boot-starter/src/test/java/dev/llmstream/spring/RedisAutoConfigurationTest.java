package dev.llmstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.redis.RedisRunStore;
import dev.llmstream.redis.testing.RedisTestServer;
import dev.llmstream.spring.actuate.LlmStreamActuatorAutoConfiguration;
import dev.llmstream.spring.actuate.LlmStreamHealthIndicator;
import dev.llmstream.spring.actuate.RunStoreProbe;
import dev.llmstream.spring.internal.TimerThread;
import dev.llmstream.spring.redis.LlmStreamRedisAutoConfiguration;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.spi.RunStore;
import dev.llmstream.web.spi.RunStoreException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Redis store's conditions and wiring, against a real {@code redis-server} on a free port. */
class RedisAutoConfigurationTest {
  @RegisterExtension static final RedisTestServer REDIS = new RedisTestServer();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  LlmStreamRedisAutoConfiguration.class,
                  LlmStreamAutoConfiguration.class,
                  LlmStreamActuatorAutoConfiguration.class))
          .withPropertyValues("llmstream.groq.base-url=http://127.0.0.1:9/v1", "llmstream.groq.model=m");

  @Test
  void withoutAUrlTheRunsStayInMemory() {
    runner.run(
        ctx -> {
          assertThat(ctx).doesNotHaveBean(RunStore.class).doesNotHaveBean(TimerThread.class);
          assertThat(ctx).doesNotHaveBean(RunStoreProbe.class).hasSingleBean(AnswerRuns.class);
          assertThat(ctx.getBean(LlmStreamHealthIndicator.class).health().getDetails()).doesNotContainKey("store");
        });
  }

  @Test
  void withAUrlTheRunsLiveInRedisAndAreClosedBeforeTheStoreAndItsTimers() {
    AtomicReference<RedisRunStore> store = new AtomicReference<>();
    runner
        .withPropertyValues(
            "llmstream.relay.redis.url=" + REDIS.uri(),
            "llmstream.relay.redis.key-prefix=spring-test:",
            "llmstream.relay.redis.lanes=1",
            "llmstream.relay.redis.operation-timeout=3s",
            "llmstream.relay.redis.watch-every=200ms",
            "llmstream.relay.lease=4s")
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(RedisRunStore.class).hasSingleBean(TimerThread.class);
              assertThat(ctx).hasBean("llmstreamRedisLeaseWatch").hasSingleBean(RunStoreProbe.class);
              LlmStreamRelayProperties.Redis r = ctx.getBean(LlmStreamRelayProperties.class).redis();
              assertThat(r.keyPrefix()).isEqualTo("spring-test:");
              assertThat(r.lanes()).isEqualTo(1);
              assertThat(r.watchEvery()).isEqualTo(Duration.ofMillis(200));
              assertThat(r.healthTimeout()).isEqualTo(Duration.ofSeconds(2));
              assertThat(ctx.getBean(LlmStreamRelayProperties.class).lease()).isEqualTo(Duration.ofSeconds(4));

              store.set(ctx.getBean(RedisRunStore.class));
              String id = ctx.getBean(AnswerRuns.class).start("o", ChatRequest.ofUser("hi")).toCompletableFuture().join();
              assertThat(store.get().find(id).toCompletableFuture().join())
                  .as("the auto-configured runs created the run in Redis")
                  .hasValueSatisfying(run -> assertThat(run.owner()).isEqualTo("o"));

              var beans = ctx.getBeanFactory();
              assertThat(beans.getDependentBeans("llmstreamRedisRunStore")).contains("llmstreamAnswerRuns");
              assertThat(beans.getDependentBeans("llmstreamTimers")).contains("llmstreamAnswerRuns", "llmstreamRedisRunStore");
              assertThat(beans.getDependentBeans("llmstreamTimerThread")).contains("llmstreamTimers");
              assertThat(beans.getDependentBeans("llmstreamAnswerRuns")).contains("llmstreamRedisLeaseWatch");

              assertThat(ctx.getBean(LlmStreamHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
              assertThat(ctx.getBean(LlmStreamHealthIndicator.class).health().getDetails().get("store"))
                  .isEqualTo(Map.of("type", "redis", "target", REDIS.uri().substring(8), "reachable", true));
            });
    assertThat(store.get().find("x").toCompletableFuture())
        .as("the store was closed with the context")
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(RunStoreException.class, e -> assertThat(e.getMessage()).contains("closed"));
  }

  @Test
  void withoutStreamingRedisOnTheClassPathTheUrlIsIgnored() {
    runner
        .withPropertyValues("llmstream.relay.redis.url=" + REDIS.uri())
        .withClassLoader(new FilteredClassLoader(RedisRunStore.class))
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(RunStore.class).hasSingleBean(AnswerRuns.class));
  }

  @Test
  void theApplicationsOwnStoreWinsOverTheUrl() {
    runner
        .withPropertyValues("llmstream.relay.redis.url=" + REDIS.uri())
        .withBean("myStore", RunStore.class, () -> RunStore.inMemory(StreamScheduler.system()))
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(RedisRunStore.class).doesNotHaveBean("llmstreamRedisLeaseWatch");
              assertThat(ctx.getBean(RunStore.class)).isSameAs(ctx.getBean("myStore"));
            });
  }

  @Test
  void anUnreachableRedisFailsTheStartupNamingHostAndPortButNeverThePassword() {
    runner
        .withPropertyValues("llmstream.relay.redis.url=redis://:s3cret-pw@127.0.0.1:9")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              Throwable root = ctx.getStartupFailure();
              StringBuilder all = new StringBuilder();
              for (Throwable t = root; t != null; t = t.getCause()) {
                all.append(t.getMessage()).append('\n');
                if (t instanceof RunStoreException e) {
                  assertThat(e.reason()).isEqualTo(RunStoreException.Reason.UNAVAILABLE);
                }
              }
              assertThat(all).contains("127.0.0.1:9").doesNotContain("s3cret-pw");
            });
  }

  @Test
  void theRedisPasswordIsMaskedAndTheRestOfTheUrlShows() {
    runner.run(
        ctx -> {
          SanitizingFunction f = ctx.getBean(SanitizingFunction.class);
          assertThat(f.apply(new SanitizableData(null, "llmstream.relay.redis.url", "redis://:pw1@h:6379/0")).getValue())
              .isEqualTo("redis://:******@h:6379/0");
          assertThat(f.apply(new SanitizableData(null, "LLMSTREAM_RELAY_REDIS_URL", "rediss://app:pw2@h:6380")).getValue())
              .isEqualTo("rediss://app:******@h:6380");
          assertThat(f.apply(new SanitizableData(null, "llmstream.relay.redis.url", "redis://h:6379")).getValue())
              .isEqualTo("redis://h:6379");
          assertThat(new LlmStreamRelayProperties.Redis("redis://u:pw3@h", null, null, null, null, null, null, null, null,
                  Duration.ofSeconds(1), Duration.ofSeconds(1)).toString())
              .doesNotContain("pw3").contains("u:******@h");
        });
  }

  @Test
  void theRedisPropertiesHaveMetadataForIdes() throws Exception {
    try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      String metadata = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      for (String name : new String[] {"url", "key-prefix", "lanes", "max-log-length", "operation-timeout",
          "outage-limit", "write-retry-limit", "claim-grace", "request-queue-size", "watch-every", "health-timeout"}) {
        assertThat(metadata).contains("\"llmstream.relay.redis." + name + "\"");
      }
      assertThat(metadata).contains("\"llmstream.relay.lease\"");
    }
  }

  @Test
  void theProbeReportsTheErrorKindWhenRedisCannotBeReached() {
    try (var ping = new dev.llmstream.spring.internal.RedisPing("redis://:pw4@127.0.0.1:9", Duration.ofSeconds(1))) {
      RunStoreProbe.Result r = ping.probe();
      assertThat(r.reachable()).isFalse();
      assertThat(r.error()).isEqualTo("connection refused");
      assertThat(r.target()).isEqualTo("127.0.0.1:9");
      assertThat(r.toString()).doesNotContain("pw4");
    }
  }
}
