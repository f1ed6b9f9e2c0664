package dev.llmstream.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatProvider;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.spring.actuate.LlmStreamActuatorAutoConfiguration;
import dev.llmstream.spring.actuate.LlmStreamHealthIndicator;
import dev.llmstream.spring.internal.MvcRelayController;
import dev.llmstream.spring.internal.RelayService;
import dev.llmstream.spring.internal.RunOutcomes;
import dev.llmstream.spring.mvc.LlmStreamMvcAutoConfiguration;
import dev.llmstream.spring.mvc.ServletOwnerResolver;
import dev.llmstream.spring.webflux.LlmStreamWebFluxAutoConfiguration;
import dev.llmstream.spring.webflux.ReactiveOwnerResolver;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.spi.RunStore;
import dev.llmstream.core.StreamScheduler;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.servlet.DispatcherServlet;
import reactor.core.publisher.Mono;

/** Every condition of the auto-configuration, on context runners (no server, no network). */
class LlmStreamAutoConfigurationTest {
  private static final AutoConfigurations ALL =
      AutoConfigurations.of(
          LlmStreamAutoConfiguration.class,
          LlmStreamMvcAutoConfiguration.class,
          LlmStreamWebFluxAutoConfiguration.class,
          LlmStreamActuatorAutoConfiguration.class);

  private final ApplicationContextRunner plain =
      new ApplicationContextRunner()
          .withConfiguration(ALL)
          .withPropertyValues("llmstream.groq.base-url=http://127.0.0.1:9/v1", "llmstream.groq.model=m");

  private final WebApplicationContextRunner servlet =
      new WebApplicationContextRunner()
          .withConfiguration(ALL)
          .withPropertyValues("llmstream.groq.base-url=http://127.0.0.1:9/v1", "llmstream.groq.model=m");

  private final ReactiveWebApplicationContextRunner reactive =
      new ReactiveWebApplicationContextRunner()
          .withConfiguration(ALL)
          .withPropertyValues("llmstream.groq.base-url=http://127.0.0.1:9/v1", "llmstream.groq.model=m");

  @Test
  void providerRunsAndServiceFromPropertiesAndTheProviderIsClosedWithTheContext() {
    AtomicReference<GroqProvider> provider = new AtomicReference<>();
    plain.run(
        ctx -> {
          assertThat(ctx).hasSingleBean(GroqProvider.class).hasSingleBean(AnswerRuns.class);
          assertThat(ctx).hasSingleBean(RelayService.class).hasSingleBean(ChatRequestFactory.class);
          provider.set(ctx.getBean(GroqProvider.class));
          assertThat(provider.get().toString()).contains("127.0.0.1:9").contains("m");
        });
    assertThatThrownBy(() -> provider.get().stream(request(), CancellationToken.create()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void propertiesBindToTheRecordsAndTheKeyNeverShowsInToString() {
    plain
        .withPropertyValues(
            "llmstream.groq.api-key=gsk_secret_bind",
            "llmstream.groq.connect-timeout=3s",
            "llmstream.groq.max-retries=1",
            "llmstream.groq.inline-delivery=true",
            "llmstream.groq.recovery.strategy=restart-dedupe",
            "llmstream.groq.recovery.max-attempts=2",
            "llmstream.groq.limits.max-answer-chars=5000",
            "llmstream.relay.paths.chat=/chat",
            "llmstream.relay.max-running-per-owner=2",
            "llmstream.relay.reader-grace=0s",
            "llmstream.relay.system-prompt=Be brief.")
        .run(
            ctx -> {
              LlmStreamGroqProperties g = ctx.getBean(LlmStreamGroqProperties.class);
              assertThat(g.apiKey()).isEqualTo("gsk_secret_bind");
              assertThat(g.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
              assertThat(g.maxRetries()).isEqualTo(1);
              assertThat(g.inlineDelivery()).isTrue();
              assertThat(g.recovery().strategy()).isEqualTo(RecoveryPolicy.Strategy.RESTART_DEDUPE);
              assertThat(g.recovery().maxAttempts()).isEqualTo(2);
              assertThat(g.limits().maxAnswerChars()).isEqualTo(5000);
              assertThat(g.toString()).doesNotContain("gsk_secret_bind").contains("******");
              assertThat(ctx.getBean(GroqProvider.class).toString()).doesNotContain("gsk_secret_bind");
              LlmStreamRelayProperties r = ctx.getBean(LlmStreamRelayProperties.class);
              assertThat(r.paths().chat()).isEqualTo("/chat");
              assertThat(r.paths().events()).isEqualTo(LlmStreamRelayProperties.EVENTS);
              assertThat(r.maxRunningPerOwner()).isEqualTo(2);
              assertThat(r.readerGrace()).isZero();
              assertThat(r.maxMessageChars()).isEqualTo(32_000);
              ChatRequest req = ctx.getBean(ChatRequestFactory.class).create("o", "c", "hi");
              assertThat(req.messages()).extracting(ChatMessage::content).containsExactly("Be brief.", "hi");
            });
  }

  @Test
  void theKeyComesFromGroqApiKeyWhenThePropertyIsUnset() {
    ApplicationContextRunner remote =
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(LlmStreamAutoConfiguration.class))
            .withPropertyValues("llmstream.groq.base-url=https://llm.example.invalid/v1", "llmstream.groq.model=m");
    remote.run(
        ctx -> {
          assertThat(ctx).hasFailed();
          Throwable root = ctx.getStartupFailure();
          while (root.getCause() != null) {
            root = root.getCause();
          }
          assertThat(root).as("says what to set").isInstanceOf(IllegalStateException.class).hasMessageContaining("GROQ_API_KEY");
        });
    // no key on a loopback base URL (a local or simulated model) is fine
    plain.run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(GroqProvider.class));
    remote
        .withPropertyValues("GROQ_API_KEY=gsk_from_env")
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(GroqProvider.class));
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsOwnProviderOrRuns() {
    plain
        .withUserConfiguration(OwnProvider.class)
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(ChatProvider.class);
              assertThat(ctx.getBean(ChatProvider.class)).isSameAs(ctx.getBean("myProvider"));
              assertThat(ctx).hasSingleBean(AnswerRuns.class);
            });
    plain
        .withUserConfiguration(OwnRuns.class)
        .run(ctx -> assertThat(ctx.getBean(AnswerRuns.class)).isSameAs(ctx.getBean("myRuns")));
  }

  @Test
  void customizersAdjustTheProviderAfterTheProperties() {
    new ApplicationContextRunner()
        .withConfiguration(ALL)
        .withPropertyValues("llmstream.groq.base-url=http://127.0.0.1:9/v1")
        .withBean(GroqProviderCustomizer.class, () -> b -> b.defaultModel("from-customizer"))
        .run(ctx -> assertThat(ctx.getBean(GroqProvider.class).toString()).contains("from-customizer"));
  }

  @Test
  void theRunsUseTheApplicationsRunStoreWhenItDefinesOne() {
    plain
        .withBean("myStore", RunStore.class, () -> RunStore.inMemory(StreamScheduler.system()))
        .run(
            ctx -> {
              String id = ctx.getBean(AnswerRuns.class).start("o", request()).toCompletableFuture().join();
              RunStore store = ctx.getBean(RunStore.class);
              assertThat(store.find(id).toCompletableFuture().join())
                  .as("the run was created in the application's store")
                  .hasValueSatisfying(r -> assertThat(r.owner()).isEqualTo("o"));
            });
  }

  @Test
  void mvcEndpointsOnlyInAServletApplicationAndNotWhenDisabled() {
    servlet.run(
        ctx -> assertThat(ctx).hasSingleBean(MvcRelayController.class).hasSingleBean(ServletOwnerResolver.class));
    plain.run(ctx -> assertThat(ctx).doesNotHaveBean(MvcRelayController.class));
    reactive.run(ctx -> assertThat(ctx).doesNotHaveBean(MvcRelayController.class));
    servlet
        .withPropertyValues("llmstream.relay.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(MvcRelayController.class).hasSingleBean(AnswerRuns.class));
    servlet
        .withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
        .run(ctx -> assertThat(ctx).doesNotHaveBean(MvcRelayController.class));
  }

  @Test
  void theApplicationsOwnerResolversWin() {
    servlet
        .withBean("myOwners", ServletOwnerResolver.class, () -> (req, resp) -> "tenant-1")
        .run(ctx -> assertThat(ctx.getBean(ServletOwnerResolver.class)).isSameAs(ctx.getBean("myOwners")));
    reactive
        .withBean("myOwners", ReactiveOwnerResolver.class, () -> exchange -> Mono.just("tenant-1"))
        .run(ctx -> assertThat(ctx.getBean(ReactiveOwnerResolver.class)).isSameAs(ctx.getBean("myOwners")));
  }

  @Test
  void webFluxRoutesOnlyInAReactiveApplicationAndNotWhenDisabled() {
    reactive.run(
        ctx ->
            assertThat(ctx).hasBean("llmstreamRelayRoutes").hasSingleBean(ReactiveOwnerResolver.class));
    servlet.run(ctx -> assertThat(ctx).doesNotHaveBean(RouterFunction.class));
    reactive
        .withPropertyValues("llmstream.relay.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean("llmstreamRelayRoutes"));
  }

  @Test
  void healthIndicatorUnlessDisabledOrTheActuatorIsAbsent() {
    plain.run(ctx -> assertThat(ctx).hasSingleBean(LlmStreamHealthIndicator.class));
    plain
        .withPropertyValues("management.health.llmstream.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(LlmStreamHealthIndicator.class));
    plain
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(ctx -> assertThat(ctx).doesNotHaveBean(LlmStreamHealthIndicator.class).hasSingleBean(AnswerRuns.class));
  }

  @Test
  void healthIsDownWhenMostRecentRunsFailedAndNeverCallsTheModel() {
    plain.run(
        ctx -> {
          LlmStreamHealthIndicator health = ctx.getBean(LlmStreamHealthIndicator.class);
          RunOutcomes outcomes = ctx.getBean(RunOutcomes.class);
          assertThat(health.health().getStatus()).isEqualTo(Status.UP);
          for (int i = 0; i < LlmStreamHealthIndicator.MIN_RUNS - 1; i++) {
            outcomes.record(true);
          }
          assertThat(health.health().getStatus()).as("too few runs to judge").isEqualTo(Status.UP);
          outcomes.record(true);
          assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
          assertThat(health.health().getDetails()).containsEntry("recentFailures", 10).containsEntry("errorRate", 1.0);
          for (int i = 0; i < 12; i++) {
            outcomes.record(false);
          }
          assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        });
  }

  @Test
  void theSanitizerMasksTheKeyInEverySpellingAndNothingElse() {
    plain.run(
        ctx -> {
          SanitizingFunction f = ctx.getBean(SanitizingFunction.class);
          for (String key : new String[] {"llmstream.groq.api-key", "llmstream.groq.apiKey", "LLMSTREAM_GROQ_APIKEY", "GROQ_API_KEY", "apiKey"}) {
            SanitizableData d = new SanitizableData(null, key, "gsk_x");
            boolean nested = key.equals("apiKey");
            assertThat(f.apply(d).getValue()).as(key).isEqualTo(nested ? "gsk_x" : SanitizableData.SANITIZED_VALUE);
          }
          assertThat(f.apply(new SanitizableData(null, "llmstream.groq.model", "m")).getValue()).isEqualTo("m");
        });
    plain
        .withClassLoader(new FilteredClassLoader(SanitizingFunction.class))
        .run(ctx -> assertThat(ctx).doesNotHaveBean("llmstreamApiKeySanitizer"));
  }

  @Test
  void withSpringSecurityAnAnonymousOrUnauthenticatedPrincipalGetsTheCookieAndAUserTheirName() {
    AnonymousAuthenticationToken anonymous =
        new AnonymousAuthenticationToken("k", "anonymousUser", AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));
    servlet.run(
        ctx -> {
          assertThat(ctx).hasBean("llmstreamServletOwnerResolver").doesNotHaveBean("llmstreamServletOwnerResolverWithoutSecurity");
          ServletOwnerResolver owners = ctx.getBean(ServletOwnerResolver.class);
          MockHttpServletRequest alice = new MockHttpServletRequest();
          alice.setUserPrincipal(UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of()));
          assertThat(owners.resolve(alice, new MockHttpServletResponse())).isEqualTo("p:alice");
          MockHttpServletRequest anon = new MockHttpServletRequest();
          anon.setUserPrincipal(anonymous);
          MockHttpServletResponse resp = new MockHttpServletResponse();
          assertThat(owners.resolve(anon, resp)).as("anonymousUser is nobody's owner").startsWith("s:");
          assertThat(resp.getHeader("Set-Cookie")).startsWith("sid=");
          MockHttpServletRequest unauthenticated = new MockHttpServletRequest();
          unauthenticated.setUserPrincipal(UsernamePasswordAuthenticationToken.unauthenticated("mallory", "pw"));
          assertThat(owners.resolve(unauthenticated, new MockHttpServletResponse())).startsWith("s:");
        });
    reactive.run(
        ctx -> {
          assertThat(ctx).hasBean("llmstreamReactiveOwnerResolver").doesNotHaveBean("llmstreamReactiveOwnerResolverWithoutSecurity");
          ReactiveOwnerResolver owners = ctx.getBean(ReactiveOwnerResolver.class);
          MockServerWebExchange anon = MockServerWebExchange.builder(MockServerHttpRequest.get("/")).principal(anonymous).build();
          assertThat(owners.resolve(anon).block()).startsWith("s:");
          MockServerWebExchange bob = MockServerWebExchange.builder(MockServerHttpRequest.get("/"))
              .principal(UsernamePasswordAuthenticationToken.authenticated("bob", null, List.of())).build();
          assertThat(owners.resolve(bob).block()).isEqualTo("p:bob");
        });
  }

  @Test
  void withoutSpringSecurityThePrincipalIsTakenAsItIs() {
    Principal containerUser = () -> "carol";
    servlet
        .withClassLoader(new FilteredClassLoader(Authentication.class))
        .run(
            ctx -> {
              assertThat(ctx).hasBean("llmstreamServletOwnerResolverWithoutSecurity").doesNotHaveBean("llmstreamServletOwnerResolver");
              MockHttpServletRequest req = new MockHttpServletRequest();
              req.setUserPrincipal(containerUser);
              assertThat(ctx.getBean(ServletOwnerResolver.class).resolve(req, new MockHttpServletResponse())).isEqualTo("p:carol");
            });
    reactive
        .withClassLoader(new FilteredClassLoader(Authentication.class))
        .run(
            ctx -> {
              assertThat(ctx).hasBean("llmstreamReactiveOwnerResolverWithoutSecurity").doesNotHaveBean("llmstreamReactiveOwnerResolver");
              MockServerWebExchange ex = MockServerWebExchange.builder(MockServerHttpRequest.get("/")).principal(containerUser).build();
              assertThat(ctx.getBean(ReactiveOwnerResolver.class).resolve(ex).block()).isEqualTo("p:carol");
            });
  }

  private static ChatRequest request() {
    return ChatRequest.ofUser("hi");
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnProvider {
    @Bean
    GroqProvider myProvider() {
      return GroqProvider.builder().baseUrl("http://127.0.0.1:9/v1").defaultModel("mine").build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRuns {
    @Bean
    AnswerRuns myRuns(ChatProvider provider) {
      return AnswerRuns.builder(provider).build();
    }
  }
}
