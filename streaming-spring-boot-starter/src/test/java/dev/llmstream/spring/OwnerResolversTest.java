package dev.llmstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.spring.mvc.LlmStreamMvcAutoConfiguration;
import dev.llmstream.spring.mvc.ServletOwnerResolver;
import dev.llmstream.spring.webflux.LlmStreamWebFluxAutoConfiguration;
import dev.llmstream.spring.webflux.ReactiveOwnerResolver;
import jakarta.servlet.http.Cookie;
import java.security.Principal;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseCookie;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.server.MockServerWebExchange;

/** The default owner rule: the principal when authenticated, else a fresh or returning {@code sid} cookie. */
class OwnerResolversTest {
  private final ServletOwnerResolver servlet = new LlmStreamMvcAutoConfiguration().llmstreamServletOwnerResolver();
  private final ReactiveOwnerResolver reactive =
      new LlmStreamWebFluxAutoConfiguration().llmstreamReactiveOwnerResolver();

  @Test
  void servletPrincipalWinsAndSetsNoCookie() {
    MockHttpServletRequest req = new MockHttpServletRequest();
    Principal alice = () -> "alice";
    req.setUserPrincipal(alice);
    req.setCookies(new Cookie("sid", "AAAAAAAAAAAAAAAAAAAAAA"));
    MockHttpServletResponse resp = new MockHttpServletResponse();
    assertThat(servlet.resolve(req, resp)).isEqualTo("p:alice");
    assertThat(resp.getHeaders("Set-Cookie")).isEmpty();
  }

  @Test
  void servletWithoutPrincipalIssuesAStrictHttpOnlyCookieOf128BitsAndKnowsItAgain() {
    Set<String> owners = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      MockHttpServletResponse resp = new MockHttpServletResponse();
      String owner = servlet.resolve(new MockHttpServletRequest(), resp);
      String setCookie = resp.getHeader("Set-Cookie");
      assertThat(setCookie).matches("sid=[A-Za-z0-9_-]{22}; Path=/; HttpOnly; SameSite=Strict");
      String sid = setCookie.substring(4, 26);
      assertThat(owner).isEqualTo("s:" + sid);
      owners.add(owner);

      MockHttpServletRequest back = new MockHttpServletRequest();
      back.setCookies(new Cookie("sid", sid));
      MockHttpServletResponse again = new MockHttpServletResponse();
      assertThat(servlet.resolve(back, again)).isEqualTo(owner);
      assertThat(again.getHeaders("Set-Cookie")).isEmpty();
    }
    assertThat(owners).hasSize(50);
  }

  @Test
  void aMalformedCookieIsReplacedAndAPrincipalCannotPoseAsACookie() {
    MockHttpServletRequest req = new MockHttpServletRequest();
    req.setCookies(new Cookie("sid", "p:alice"));
    MockHttpServletResponse resp = new MockHttpServletResponse();
    assertThat(servlet.resolve(req, resp)).startsWith("s:").isNotEqualTo("s:p:alice");
    assertThat(resp.getHeader("Set-Cookie")).startsWith("sid=");

    MockHttpServletRequest named = new MockHttpServletRequest();
    Principal sidLike = () -> "AAAAAAAAAAAAAAAAAAAAAA";
    named.setUserPrincipal(sidLike);
    assertThat(servlet.resolve(named, new MockHttpServletResponse())).isEqualTo("p:AAAAAAAAAAAAAAAAAAAAAA");
  }

  @Test
  void aVeryLongPrincipalNameIsHashedToFitTheOwnerLimit() {
    MockHttpServletRequest req = new MockHttpServletRequest();
    Principal longName = () -> "x".repeat(1000);
    req.setUserPrincipal(longName);
    assertThat(servlet.resolve(req, new MockHttpServletResponse())).matches("p#[0-9a-f]{64}");
  }

  @Test
  void reactivePrincipalElseCookie() {
    Principal bob = () -> "bob";
    MockServerWebExchange authenticated =
        MockServerWebExchange.builder(MockServerHttpRequest.get("/")).principal(bob).build();
    assertThat(reactive.resolve(authenticated).block()).isEqualTo("p:bob");
    assertThat(authenticated.getResponse().getCookies()).isEmpty();

    MockServerWebExchange anonymous = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
    String owner = reactive.resolve(anonymous).block();
    ResponseCookie c = anonymous.getResponse().getCookies().getFirst("sid");
    assertThat(c).isNotNull();
    assertThat(c.isHttpOnly()).isTrue();
    assertThat(c.getSameSite()).isEqualTo("Strict");
    assertThat(owner).isEqualTo("s:" + c.getValue());

    MockServerWebExchange back =
        MockServerWebExchange.from(MockServerHttpRequest.get("/").cookie(new org.springframework.http.HttpCookie("sid", c.getValue())));
    assertThat(reactive.resolve(back).block()).isEqualTo(owner);
    assertThat(back.getResponse().getCookies()).isEmpty();
  }
}
