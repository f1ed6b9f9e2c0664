package dev.llmstream.spring;

import dev.llmstream.testkit.FakeGroqServer;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The WebFlux endpoints on Reactor Netty against the simulated upstream: the same contract as MVC. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = WebFluxRelayTest.App.class,
    properties = {"spring.main.web-application-type=reactive", "llmstream.groq.api-key=gsk_test", "llmstream.groq.model=sim-model",
      "llmstream.groq.first-token-timeout=10s"})
class WebFluxRelayTest extends RelayContract {
  private static final FakeGroqServer UPSTREAM = FakeGroqServer.simulated(MODEL).start();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @DynamicPropertySource
  static void upstream(DynamicPropertyRegistry registry) {
    registry.add("llmstream.groq.base-url", UPSTREAM::baseUrl);
  }

  @AfterAll
  static void closeUpstream() {
    UPSTREAM.close();
  }

  @LocalServerPort int port;

  @Override
  int port() {
    return port;
  }

  @Override
  FakeGroqServer upstream() {
    return UPSTREAM;
  }
}
