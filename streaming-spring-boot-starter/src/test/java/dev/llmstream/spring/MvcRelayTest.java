package dev.llmstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.testkit.FakeGroqServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The MVC endpoints and the actuator on a real Tomcat against the simulated upstream. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = MvcRelayTest.App.class,
    properties = {
      "spring.main.web-application-type=servlet",
      "llmstream.groq.api-key=" + MvcRelayTest.KEY,
      "llmstream.groq.model=sim-model",
      "llmstream.groq.first-token-timeout=10s",
      "management.endpoints.web.exposure.include=health,env,configprops",
      "management.endpoint.env.show-values=always",
      "management.endpoint.configprops.show-values=always",
      "management.endpoint.health.show-details=always"
    })
class MvcRelayTest extends RelayContract {
  static final String KEY = "gsk_test_secret_4f9a2c";
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

  @Test
  void theKeyIsMaskedAtEnvAndConfigpropsWhileOtherValuesShow() throws Exception {
    RelayHttp admin = new RelayHttp(port);
    HttpResponse<String> env = admin.get("/actuator/env/llmstream.groq.api-key", null);
    assertThat(env.statusCode()).isEqualTo(200);
    assertThat(env.body()).doesNotContain(KEY).contains("******");
    HttpResponse<String> all = admin.get("/actuator/env", null);
    assertThat(all.body()).doesNotContain(KEY).contains("sim-model");
    HttpResponse<String> props = admin.get("/actuator/configprops", null);
    assertThat(props.statusCode()).isEqualTo(200);
    assertThat(props.body()).doesNotContain(KEY).contains("sim-model").contains("\"apiKey\":\"******\"");
  }

  @Test
  void healthShowsTheProviderWithoutCallingTheModel() throws Exception {
    int before = UPSTREAM.requests().size();
    HttpResponse<String> health = new RelayHttp(port).get("/actuator/health", null);
    assertThat(health.statusCode()).isEqualTo(200);
    var llm = RelayHttp.json(health.body()).path("components").path("llmstream");
    assertThat(llm.path("status").asText()).isEqualTo("UP");
    assertThat(llm.path("details").path("provider").asText()).isEqualTo("GroqProvider");
    assertThat(health.body()).doesNotContain(KEY);
    assertThat(UPSTREAM.requests()).hasSize(before);
  }
}
