package dev.llmstream.spring;

import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatProvider;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.spring.internal.RelayService;
import dev.llmstream.spring.internal.RunOutcomes;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.spi.RunStore;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The provider and the runs: a {@link GroqProvider} from {@code llmstream.groq.*} unless the application
 * defines its own {@link ChatProvider}, and {@link AnswerRuns} (on the application's {@link RunStore} bean
 * or the Redis store of {@code llmstream.relay.redis.url} if any, else in memory) from
 * {@code llmstream.relay.*} unless it defines its own runs. Both are closed with the context (the runs
 * first: they depend on the provider). Every bean backs off when the application defines one of its type.
 */
// Spring calls the @Bean methods, never user code: their internal types stay unexported by design.
@SuppressWarnings("exports")
@AutoConfiguration
@EnableConfigurationProperties({LlmStreamGroqProperties.class, LlmStreamRelayProperties.class})
public class LlmStreamAutoConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(LlmStreamAutoConfiguration.class);

  /** For Spring. */
  public LlmStreamAutoConfiguration() {}

  /**
   * The Groq (or OpenAI-compatible) provider. The key is {@code llmstream.groq.api-key}, else the
   * {@code GROQ_API_KEY} property or environment variable.
   *
   * @param groq the properties
   * @param env the environment (for {@code GROQ_API_KEY})
   * @param customizers applied in order after the properties
   * @return the provider, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(ChatProvider.class)
  public GroqProvider llmstreamGroqProvider(
      LlmStreamGroqProperties groq, Environment env, ObjectProvider<GroqProviderCustomizer> customizers) {
    GroqProvider.Builder b = GroqProvider.builder();
    String key = groq.apiKey() != null && !groq.apiKey().isBlank() ? groq.apiKey() : env.getProperty("GROQ_API_KEY");
    set(key == null || key.isBlank() ? null : key, b::apiKey);
    set(groq.baseUrl(), b::baseUrl);
    set(groq.model(), b::defaultModel);
    if (groq.model() == null) {
      LOG.warn("llmstream.groq.model is not set: unless a GroqProviderCustomizer sets a default model, every"
          + " request must name its model (set llmstream.groq.model, or ChatRequest.withModel in a ChatRequestFactory)");
    }
    set(groq.allowInsecureHttp(), b::allowInsecureHttp);
    set(groq.connectTimeout(), b::connectTimeout);
    set(groq.firstTokenTimeout(), b::firstTokenTimeout);
    set(groq.idleTimeout(), b::idleTimeout);
    set(groq.maxRetries(), b::maxRetries);
    set(groq.maxRetryDelay(), b::maxRetryDelay);
    set(groq.inlineDelivery(), b::inlineDelivery);
    LlmStreamGroqProperties.Recovery r = groq.recovery();
    if (r != null) {
      RecoveryPolicy p = RecoveryPolicy.defaults();
      if (r.strategy() != null) {
        p = p.withStrategy(r.strategy());
      }
      if (r.maxAttempts() != null) {
        p = p.withMaxAttempts(r.maxAttempts());
      }
      if (r.initialBackoff() != null || r.maxBackoff() != null) {
        p = p.withBackoff(
            r.initialBackoff() != null ? r.initialBackoff() : p.initialBackoff(),
            r.maxBackoff() != null ? r.maxBackoff() : p.maxBackoff());
      }
      b.recovery(p);
    }
    LlmStreamGroqProperties.Limits l = groq.limits();
    if (l != null) {
      set(l.maxConcurrentStreams(), b::maxConcurrentStreams);
      set(l.maxAnswerChars(), b::maxAnswerChars);
      set(l.maxLineLength(), b::maxLineLength);
      set(l.maxEventBytes(), b::maxEventBytes);
    }
    customizers.orderedStream().forEach(c -> c.customize(b));
    return b.build();
  }

  /**
   * The runs, with the application's {@link RunStore} bean when it defines one (a Redis store, say), else
   * the in-memory store.
   *
   * @param provider the provider
   * @param store the application's store or the Redis store, if any (not closed by the runs: its bean's
   *     lifecycle does, after the runs)
   * @param timers the timers for the runs, when there is exactly one {@link StreamScheduler} bean (the
   *     Redis auto-configuration's own timer thread), else the system scheduler
   * @param relay the properties
   * @return the runs, closed with the context (stopping running answers as {@code shutdown})
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public AnswerRuns llmstreamAnswerRuns(
      ChatProvider provider,
      List<RunStore> store,
      List<StreamScheduler> timers,
      LlmStreamRelayProperties relay) {
    // lists, not ObjectProviders: Spring then records the runs as depending on the store and the timers,
    // so at context close the runs are closed before them
    AnswerRuns.Builder b = AnswerRuns.builder(provider);
    if (store.size() == 1) {
      b.store(store.get(0));
    } else if (store.size() > 1) {
      throw new IllegalStateException(store.size() + " RunStore beans: define one, or your own AnswerRuns");
    }
    if (timers.size() == 1) {
      b.scheduler(timers.get(0));
    }
    set(relay.lease(), b::lease);
    set(relay.maxRunningPerOwner(), b::maxRunningPerOwner);
    set(relay.maxEventsPerRun(), b::maxEventsPerRun);
    set(relay.maxCharsPerRun(), b::maxCharsPerRun);
    set(relay.finishedTtl(), b::finishedTtl);
    set(relay.heartbeat(), b::heartbeat);
    set(relay.readerGrace(), b::readerGrace);
    return b.build();
  }

  /**
   * The default request factory: the system prompt, if set, and the message.
   *
   * @param relay the properties
   * @return the factory
   */
  @Bean
  @ConditionalOnMissingBean
  public ChatRequestFactory llmstreamChatRequestFactory(LlmStreamRelayProperties relay) {
    String system = relay.systemPrompt();
    return (owner, chat, message) -> {
      ChatMessage user = ChatMessage.user(message);
      return ChatRequest.of(
          system != null && !system.isBlank() ? List.of(ChatMessage.system(system), user) : List.of(user));
    };
  }

  /**
   * The outcomes of recent runs (for the health indicator).
   *
   * @return the outcomes
   */
  @Bean
  @ConditionalOnMissingBean
  public RunOutcomes llmstreamRunOutcomes() {
    return new RunOutcomes(RunOutcomes.DEFAULT_WINDOW);
  }

  /**
   * What the MVC and WebFlux endpoints share: validation, start, stop and their replies.
   *
   * @param runs the runs
   * @param factory the request factory
   * @param outcomes where run outcomes are recorded
   * @param relay the properties
   * @return the service
   */
  @Bean
  @ConditionalOnMissingBean
  public RelayService llmstreamRelayService(
      AnswerRuns runs, ChatRequestFactory factory, RunOutcomes outcomes, LlmStreamRelayProperties relay) {
    return new RelayService(runs, factory, outcomes, relay.maxMessageChars(), relay.deadline());
  }

  private static <T> void set(@Nullable T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }
}
