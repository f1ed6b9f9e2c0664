package dev.llmstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmstream.redis.RedisRunStore;
import dev.llmstream.redis.testing.RedisTestServer;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.web.AnswerRuns;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The MVC application with {@code llmstream.relay.redis.url} against a real {@code redis-server}: the
 * relay contract with the runs in Redis, and the health indicator following Redis (UP, DOWN when it is
 * killed, UP again after a restart) without ever calling the model.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = RedisRelayHealthTest.App.class,
    properties = {
      "spring.main.web-application-type=servlet",
      "llmstream.groq.api-key=gsk_test",
      "llmstream.groq.model=sim-model",
      "llmstream.groq.first-token-timeout=10s",
      "llmstream.relay.redis.health-timeout=1s",
      "management.endpoints.web.exposure.include=health,env,configprops",
      "management.endpoint.env.show-values=always",
      "management.endpoint.configprops.show-values=always",
      "management.endpoint.health.show-details=always"
    })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisRelayHealthTest extends RelayContract {
  @RegisterExtension static final RedisTestServer REDIS = new RedisTestServer();
  private static final FakeGroqServer UPSTREAM = FakeGroqServer.simulated(MODEL).start();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @DynamicPropertySource
  static void upstream(DynamicPropertyRegistry registry) {
    registry.add("llmstream.groq.base-url", UPSTREAM::baseUrl);
    registry.add("llmstream.relay.redis.url", () -> {
      requirePassword();
      return "redis://:" + PASSWORD + "@" + REDIS.uri().substring("redis://".length());
    });
  }

  /** The test server has no password; this one has, so the URL carries one (to check it never shows). */
  static final String PASSWORD = "redis-pw-7c1e";

  /** Sets the password unless it is set already (Spring reads the URL property more than once). */
  private static void requirePassword() {
    RedisClient client = RedisClient.create(REDIS.uri());
    try (var c = client.connect()) {
      c.sync().configSet("requirepass", PASSWORD);
    } catch (RedisConnectionException e) {
      assertThat(e).as("only 'a password is set already' is expected").hasStackTraceContaining("NOAUTH");
    } finally {
      client.shutdown();
    }
  }

  @AfterAll
  static void closeUpstream() {
    UPSTREAM.close();
  }

  @LocalServerPort int port;

  @Autowired RedisRunStore store;

  @Autowired AnswerRuns runs;

  @Override
  int port() {
    return port;
  }

  @Override
  FakeGroqServer upstream() {
    return UPSTREAM;
  }

  private JsonNode llmstreamHealth(int expectedStatus) throws Exception {
    HttpResponse<String> health = new RelayHttp(port).get("/actuator/health", null);
    assertThat(health.statusCode()).as(health.body()).isEqualTo(expectedStatus);
    return RelayHttp.json(health.body()).path("components").path("llmstream");
  }

  @Test
  @Order(Integer.MAX_VALUE) // last: it kills Redis (and starts it again, empty)
  void healthFollowsRedisAndNeverCallsTheModel() throws Exception {
    int calls = UPSTREAM.requests().size();
    JsonNode up = llmstreamHealth(200);
    assertThat(up.path("status").asText()).isEqualTo("UP");
    assertThat(up.path("details").path("store").path("type").asText()).isEqualTo("redis");
    assertThat(up.path("details").path("store").path("reachable").asBoolean()).isTrue();
    assertThat(up.path("details").path("store").path("target").asText()).isEqualTo(REDIS.uri().substring(8));

    REDIS.kill();
    JsonNode down = llmstreamHealth(503);
    assertThat(down.path("status").asText()).isEqualTo("DOWN");
    assertThat(down.path("details").path("store").path("reachable").asBoolean()).isFalse();
    assertThat(down.path("details").path("store").path("error").asText()).isEqualTo("connection refused");

    REDIS.restart();
    requirePassword();
    JsonNode again = llmstreamHealth(200);
    assertThat(again.path("status").asText()).isEqualTo("UP");
    assertThat(UPSTREAM.requests()).as("health never calls the model").hasSize(calls);
  }

  @Test
  void theUrlsPasswordNeverShowsAtEnvConfigpropsOrHealth() throws Exception {
    RelayHttp admin = new RelayHttp(port);
    HttpResponse<String> env = admin.get("/actuator/env/llmstream.relay.redis.url", null);
    assertThat(env.statusCode()).isEqualTo(200);
    assertThat(env.body()).doesNotContain(PASSWORD).contains(":******@127.0.0.1:");
    assertThat(admin.get("/actuator/env", null).body()).doesNotContain(PASSWORD);
    HttpResponse<String> props = admin.get("/actuator/configprops", null);
    assertThat(props.body()).doesNotContain(PASSWORD).contains(":******@127.0.0.1:");
    assertThat(admin.get("/actuator/health", null).body()).doesNotContain(PASSWORD);
  }

  @Test
  void theRunsAreInRedis() throws Exception {
    RelayHttp me = new RelayHttp(port);
    String run = me.start("stored in redis", "redis");
    assertThat(store.find(run).toCompletableFuture().join()).isPresent();
    me.events(run, 0);
  }
}
