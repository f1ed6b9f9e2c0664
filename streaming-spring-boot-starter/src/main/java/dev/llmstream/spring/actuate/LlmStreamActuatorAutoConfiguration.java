package dev.llmstream.spring.actuate;

import dev.llmstream.core.ChatProvider;
import dev.llmstream.spring.LlmStreamAutoConfiguration;
import dev.llmstream.spring.LlmStreamRelayProperties;
import dev.llmstream.spring.redis.LlmStreamRedisAutoConfiguration;
import dev.llmstream.spring.internal.RunOutcomes;
import dev.llmstream.web.AnswerRuns;
import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator support, each part only when its classes are present: the {@code llmstream} health indicator
 * ({@code management.health.llmstream.enabled}; with the Redis store's reachability when it is used) and
 * a {@link SanitizingFunction} that masks {@code llmstream.groq.api-key} and {@code GROQ_API_KEY}, and the
 * password in {@code llmstream.relay.redis.url}, at {@code /actuator/env} and {@code /actuator/configprops}
 * even where values are shown ({@code show-values=always}).
 */
// Spring calls the @Bean methods, never user code: their internal types stay unexported by design.
@SuppressWarnings("exports")
@AutoConfiguration(after = {LlmStreamAutoConfiguration.class, LlmStreamRedisAutoConfiguration.class})
public class LlmStreamActuatorAutoConfiguration {

  /** For Spring. */
  public LlmStreamActuatorAutoConfiguration() {}

  /** The health indicator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnBean({ChatProvider.class, AnswerRuns.class, RunOutcomes.class})
  @ConditionalOnEnabledHealthIndicator("llmstream")
  public static class Health {
    /** For Spring. */
    public Health() {}

    /**
     * The indicator, at {@code /actuator/health} as {@code llmstream}.
     *
     * @param provider the provider
     * @param runs the runs
     * @param outcomes recent outcomes
     * @param store the shared store's probe (the Redis auto-configuration's), if any
     * @return the indicator
     */
    @Bean
    @ConditionalOnMissingBean(name = "llmstreamHealthIndicator")
    public LlmStreamHealthIndicator llmstreamHealthIndicator(
        ChatProvider provider, AnswerRuns runs, RunOutcomes outcomes, ObjectProvider<RunStoreProbe> store) {
      return new LlmStreamHealthIndicator(provider, runs, outcomes, store.getIfUnique());
    }
  }

  /** The key masking. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SanitizingFunction.class)
  public static class Masking {
    /** For Spring. */
    public Masking() {}

    /**
     * Masks the API key's property (any spelling Spring's relaxed binding accepts) and
     * {@code GROQ_API_KEY}, and the password of {@code llmstream.relay.redis.url} (the rest of the URL
     * stays readable).
     *
     * @return the function
     */
    @Bean
    public SanitizingFunction llmstreamApiKeySanitizer() {
      return data -> {
        if (isApiKey(data.getKey())) {
          return data.withValue(SanitizableData.SANITIZED_VALUE);
        }
        if (isRedisUrl(data.getKey()) && data.getValue() instanceof String url) {
          return data.withValue(LlmStreamRelayProperties.Redis.masked(url));
        }
        return data;
      };
    }

    static boolean isRedisUrl(String key) {
      String k = key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(".", "");
      return k.equals("llmstreamrelayredisurl");
    }

    static boolean isApiKey(String key) {
      String k = key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(".", "");
      return k.equals("llmstreamgroqapikey") || k.equals("groqapikey");
    }
  }
}
