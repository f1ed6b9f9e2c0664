package dev.llmstream.spring.mvc;

import dev.llmstream.spring.LlmStreamAutoConfiguration;
import dev.llmstream.spring.internal.MvcRelayController;
import dev.llmstream.spring.internal.Owners;
import dev.llmstream.spring.internal.RelayService;
import dev.llmstream.spring.internal.SecurityPrincipals;
import jakarta.servlet.http.Cookie;
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
import org.springframework.web.servlet.DispatcherServlet;

/**
 * The relay endpoints for Spring MVC ({@code llmstream.relay.paths.*}): the event stream is served by the
 * Servlet 6 async adapter {@link dev.llmstream.web.servlet.ServletSse} (no thread held per open stream;
 * writes through {@code WriteListener}), start and stop reply asynchronously. Only in a servlet web
 * application, and not when {@code llmstream.relay.enabled=false}.
 */
// Spring calls the @Bean methods, never user code: their internal types stay unexported by design.
@SuppressWarnings("exports")
@AutoConfiguration(after = LlmStreamAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBean(RelayService.class)
@ConditionalOnProperty(prefix = "llmstream.relay", name = "enabled", havingValue = "true", matchIfMissing = true)
public class LlmStreamMvcAutoConfiguration {
  static final String SECURITY = "org.springframework.security.core.Authentication";

  /** For Spring. */
  public LlmStreamMvcAutoConfiguration() {}

  /**
   * The default owner: the principal's name, else the {@code sid} cookie. With Spring Security on the
   * class path, an anonymous or unauthenticated {@code Authentication} is no user (it gets the cookie).
   *
   * @return the resolver
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnClass(name = SECURITY)
  public ServletOwnerResolver llmstreamServletOwnerResolver() {
    return servletOwners(SecurityPrincipals::isUser);
  }

  /**
   * The default owner without Spring Security: the container's principal's name, else the {@code sid}
   * cookie.
   *
   * @return the resolver
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnMissingClass(SECURITY)
  public ServletOwnerResolver llmstreamServletOwnerResolverWithoutSecurity() {
    return servletOwners(p -> true);
  }

  private static ServletOwnerResolver servletOwners(Predicate<Principal> isUser) {
    Owners owners = new Owners(new SecureRandom());
    return (request, response) -> {
      Principal p = request.getUserPrincipal();
      if (p != null && p.getName() != null && !p.getName().isEmpty() && isUser.test(p)) {
        return Owners.ofPrincipal(p.getName());
      }
      Cookie[] cookies = request.getCookies();
      if (cookies != null) {
        for (Cookie c : cookies) {
          if (c.getName().equals(Owners.COOKIE) && Owners.isSid(c.getValue())) {
            return Owners.ofSid(c.getValue());
          }
        }
      }
      String sid = owners.newSid();
      response.addHeader(
          "Set-Cookie",
          Owners.COOKIE + "=" + sid + "; Path=/; HttpOnly; SameSite=Strict" + (request.isSecure() ? "; Secure" : ""));
      return Owners.ofSid(sid);
    };
  }

  /**
   * The endpoints.
   *
   * @param relay the shared logic
   * @param owners the owner resolver
   * @return the controller
   */
  @Bean
  @ConditionalOnMissingBean
  public MvcRelayController llmstreamMvcRelayController(RelayService relay, ServletOwnerResolver owners) {
    return new MvcRelayController(relay, owners);
  }
}
