package dev.llmstream.spring.actuate;

import dev.llmstream.micrometer.LlmStreamMetrics;
import dev.llmstream.micrometer.RelayMetrics;
import dev.llmstream.spring.GroqProviderCustomizer;
import dev.llmstream.spring.LlmStreamAutoConfiguration;
import dev.llmstream.web.AnswerRuns;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The Micrometer binding, when {@code streaming-micrometer} and Micrometer are on the class path: every
 * answer of the auto-configured {@code GroqProvider} is recorded with the OpenTelemetry GenAI names
 * ({@code gen_ai.client.operation.duration}, …) and the {@code llmstream.*} meters in the application's
 * {@code MeterRegistry} (Spring Boot's actuator shows them at {@code /actuator/prometheus}), and traced
 * as one {@code Observation} per answer when an {@code ObservationRegistry} exists.
 *
 * <p>The registry is looked up when the provider is built, not when this configuration is processed, so
 * the order of Spring Boot's own metrics auto-configuration does not matter; without a registry the
 * provider gets no listener (and pays nothing). Define a bean named {@code llmstreamMetricsCustomizer} to
 * replace it.
 */
@AutoConfiguration(before = LlmStreamAutoConfiguration.class)
@ConditionalOnClass({LlmStreamMetrics.class, MeterRegistry.class})
public class LlmStreamMetricsAutoConfiguration {

  /** For Spring. */
  public LlmStreamMetricsAutoConfiguration() {}

  /**
   * Attaches {@link LlmStreamMetrics} to the provider's builder when a {@code MeterRegistry} exists.
   *
   * @param meters the application's meter registry, if any
   * @param observations the application's observation registry, if any
   * @return the customizer
   */
  @Bean
  @ConditionalOnMissingBean(name = "llmstreamMetricsCustomizer")
  public GroqProviderCustomizer llmstreamMetricsCustomizer(
      ObjectProvider<MeterRegistry> meters, ObjectProvider<ObservationRegistry> observations) {
    return builder -> {
      MeterRegistry registry = meters.getIfUnique();
      if (registry == null) {
        return;
      }
      LlmStreamMetrics.Builder metrics = LlmStreamMetrics.builder(registry);
      ObservationRegistry tracing = observations.getIfUnique();
      if (tracing != null) {
        metrics.observationRegistry(tracing);
      }
      builder.listener(metrics.build());
    };
  }

  /**
   * Binds the relay's {@code llmstream.relay.readers} gauge and {@code llmstream.relay.coalesced} counter
   * ({@link RelayMetrics}) to the application's registry when it has an {@link AnswerRuns} (the starter's or
   * its own). A {@link MeterBinder}, so Spring Boot's metrics auto-configuration binds it to every
   * registry it manages, whatever the order the beans are created in.
   *
   * @param runs the application's answer runs, if any
   * @return the binder
   */
  @Bean
  @ConditionalOnMissingBean(name = "llmstreamRelayMetrics")
  public MeterBinder llmstreamRelayMetrics(ObjectProvider<AnswerRuns> runs) {
    return registry -> runs.ifUnique(r -> RelayMetrics.bind(r, registry));
  }
}
