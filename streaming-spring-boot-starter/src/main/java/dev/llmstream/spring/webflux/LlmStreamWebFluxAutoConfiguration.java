package dev.llmstream.spring.webflux;

import dev.llmstream.spring.LlmStreamAutoConfiguration;
import dev.llmstream.spring.LlmStreamRelayProperties;
import dev.llmstream.spring.internal.Owners;
import dev.llmstream.spring.internal.RelayService;
import dev.llmstream.spring.internal.SecurityPrincipals;
import dev.llmstream.spring.internal.WebFluxRelayHandler;
import java.security.Principal;
import java.security.SecureRandom;
import java.util.function.Predicate;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpCookie;
import org.springframework.http.ResponseCookie;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The relay endpoints for WebFlux ({@code llmstream.relay.paths.*}) as a {@link RouterFunction}: the event
 * stream is a {@code Flux<ServerSentEvent<String>>} from the run (ids, event types, data; heartbeats as
 * comments), each flushed by Spring's SSE encoder, paced by the connection's demand and cancelled with the
 * subscription (the client leaving). Only in a reactive web application, and not when
 * {@code llmstream.relay.enabled=false}.
 */
// Spring calls the @Bean methods, never user code: their internal types stay unexported by design.
@SuppressWarnings("exports")
@AutoConfiguration(after = LlmStreamAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(RouterFunction.class)
@ConditionalOnBean(RelayService.class)
@ConditionalOnProperty(prefix = "llmstream.relay", name = "enabled", havingValue = "true", matchIfMissing = true)
public class LlmStreamWebFluxAutoConfiguration {
  static final String SECURITY = "org.springframework.security.core.Authentication";

  /** For Spring. */
  public LlmStreamWebFluxAutoConfiguration() {}

  /**
   * The default owner: the principal's name, else the {@code sid} cookie. With Spring Security on the
   * class path, an anonymous or unauthenticated {@code Authentication} is no user (it gets the cookie).
   *
   * @return the resolver
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnClass(name = SECURITY)
  public ReactiveOwnerResolver llmstreamReactiveOwnerResolver() {
    return reactiveOwners(SecurityPrincipals::isUser);
  }

  /**
   * The default owner without Spring Security: the exchange's principal's name, else the {@code sid}
   * cookie.
   *
   * @return the resolver
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnMissingClass(SECURITY)
  public ReactiveOwnerResolver llmstreamReactiveOwnerResolverWithoutSecurity() {
    return reactiveOwners(p -> true);
  }

  private static ReactiveOwnerResolver reactiveOwners(Predicate<Principal> isUser) {
    Owners owners = new Owners(new SecureRandom());
    return exchange ->
        exchange
            .getPrincipal()
            .filter(p -> p.getName() != null && !p.getName().isEmpty() && isUser.test(p))
            .map(p -> Owners.ofPrincipal(p.getName()))
            .switchIfEmpty(
                Mono.fromSupplier(
                    () -> {
                      HttpCookie c = exchange.getRequest().getCookies().getFirst(Owners.COOKIE);
                      if (c != null && Owners.isSid(c.getValue())) {
                        return Owners.ofSid(c.getValue());
                      }
                      String sid = owners.newSid();
                      exchange
                          .getResponse()
                          .addCookie(
                              ResponseCookie.from(Owners.COOKIE, sid)
                                  .path("/")
                                  .httpOnly(true)
                                  .sameSite("Strict")
                                  .secure(exchange.getRequest().getSslInfo() != null)
                                  .build());
                      return Owners.ofSid(sid);
                    }));
  }

  /**
   * The endpoints.
   *
   * @param relay the shared logic
   * @param owners the owner resolver
   * @param properties the paths
   * @return the routes
   */
  @Bean
  @ConditionalOnMissingBean(name = "llmstreamRelayRoutes")
  public RouterFunction<ServerResponse> llmstreamRelayRoutes(
      RelayService relay, ReactiveOwnerResolver owners, LlmStreamRelayProperties properties) {
    return new WebFluxRelayHandler(relay, owners).routes(properties.paths());
  }
}
