package dev.llmstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.micrometer.LlmStreamMetrics;
import dev.llmstream.micrometer.RelayMetrics;
import dev.llmstream.spring.actuate.LlmStreamMetricsAutoConfiguration;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.web.AnswerRuns;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Micrometer binding: present with a registry, absent without Micrometer, harmless without a registry. */
class MetricsAutoConfigurationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static ApplicationContextRunner runner(FakeGroqServer server) {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(LlmStreamMetricsAutoConfiguration.class, LlmStreamAutoConfiguration.class))
        .withPropertyValues("llmstream.groq.base-url=" + server.baseUrl(), "llmstream.groq.model=m");
  }

  private static void answer(GroqProvider provider) {
    TestSubscriber<StreamEvent> sub = TestSubscriber.create();
    provider.stream(ChatRequest.ofUser("hi")).subscribe(sub);
    sub.awaitTerminal(WAIT);
    assertThat(sub.isCompleted()).isTrue();
  }

  @Test
  void withAMeterRegistryEveryAnswerIsRecordedWithTheGenAiNames() {
    try (FakeGroqServer server = FakeGroqServer.builder().always(ResponseScript.builder().text("Hello").build())
        .build().start()) {
      runner(server)
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .run(ctx -> {
            answer(ctx.getBean(GroqProvider.class));
            MeterRegistry meters = ctx.getBean(MeterRegistry.class);
            assertThat(meters.get(LlmStreamMetrics.OPERATION_DURATION).tag("gen_ai.request.model", "m").timer()
                .count()).isEqualTo(1);
            assertThat(meters.get(LlmStreamMetrics.STREAMS).tag("outcome", "completed").counter().count())
                .isEqualTo(1.0);
          });
    }
  }

  @Test
  void withoutARegistryTheProviderWorksUnmeasured() {
    try (FakeGroqServer server = FakeGroqServer.builder().always(ResponseScript.builder().text("Hello").build())
        .build().start()) {
      runner(server).run(ctx -> {
        assertThat(ctx).hasBean("llmstreamMetricsCustomizer");
        answer(ctx.getBean(GroqProvider.class));
      });
    }
  }

  @Test
  void withoutMicrometerOnTheClassPathTheBindingBacksOff() {
    try (FakeGroqServer server = FakeGroqServer.builder().always(ResponseScript.builder().text("Hello").build())
        .build().start()) {
      runner(server)
          .withClassLoader(new FilteredClassLoader(LlmStreamMetrics.class))
          .run(ctx -> assertThat(ctx).doesNotHaveBean("llmstreamMetricsCustomizer").hasSingleBean(GroqProvider.class));
    }
  }

  @Test
  void theRelayBinderPublishesTheRunsReadersAndCoalescedEvents() {
    try (FakeGroqServer server = FakeGroqServer.builder().always(ResponseScript.builder().text("Hello").build())
        .build().start()) {
      runner(server).run(ctx -> {
        assertThat(ctx).hasSingleBean(AnswerRuns.class);
        MeterRegistry registry = new SimpleMeterRegistry();
        ctx.getBean("llmstreamRelayMetrics", MeterBinder.class).bindTo(registry);
        AnswerRuns runs = ctx.getBean(AnswerRuns.class);
        assertThat(registry.get(RelayMetrics.READERS).gauge().value()).isEqualTo((double) runs.readers());
        assertThat(registry.get(RelayMetrics.COALESCED).functionCounter().count())
            .isEqualTo((double) runs.coalescedEvents());
      });
    }
  }

  @Test
  void withoutRunsTheRelayBinderBindsNothing() {
    MeterRegistry registry = new SimpleMeterRegistry();
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LlmStreamMetricsAutoConfiguration.class))
        .run(ctx -> {
          ctx.getBean("llmstreamRelayMetrics", MeterBinder.class).bindTo(registry);
          assertThat(registry.find(RelayMetrics.READERS).gauge()).isNull();
        });
  }
}
