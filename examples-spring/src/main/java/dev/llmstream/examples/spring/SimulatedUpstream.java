package dev.llmstream.examples.spring;

import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.SimulatedModel;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Like the {@code web} example's {@code Endpoint}: when neither {@code llmstream.groq.base-url} nor a key
 * ({@code llmstream.groq.api-key} or {@code GROQ_API_KEY}) is set, starts the testkit's simulated Groq on
 * a free loopback port before the context starts and points the starter at it (a property source of the
 * lowest precedence); stops it when the context closes. Also prints the chat's URL once the server
 * listens. One instance per application; the server field is written once, on the startup thread.
 */
final class SimulatedUpstream implements ApplicationListener<ApplicationEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedUpstream.class);
  private static final String DEFAULT_MODEL = "llama-3.3-70b-versatile";

  /** The property with the one-line description of the upstream the page shows (never the key). */
  static final String ENDPOINT = "spring-chat.endpoint";

  private volatile @Nullable FakeGroqServer server;
  private volatile String description = "";

  @Override
  public void onApplicationEvent(ApplicationEvent event) {
    if (event instanceof ApplicationEnvironmentPreparedEvent e) {
      prepare(e.getEnvironment());
    } else if (event instanceof WebServerInitializedEvent e) {
      System.out.println(
          "Chat running at http://localhost:" + e.getWebServer().getPort() + "/  (answers from " + description + ")");
      System.out.flush();
    } else if (event instanceof ContextClosedEvent || event instanceof ApplicationFailedEvent) {
      FakeGroqServer s = server;
      if (s != null) {
        s.close();
      }
    }
  }

  private void prepare(ConfigurableEnvironment env) {
    String base = env.getProperty("llmstream.groq.base-url");
    String key = env.getProperty("llmstream.groq.api-key", env.getProperty("GROQ_API_KEY", ""));
    String model = env.getProperty("llmstream.groq.model");
    if (base != null || !key.isBlank()) {
      description = (base == null ? "Groq (api.groq.com)" : base) + ", model " + (model == null ? DEFAULT_MODEL : model);
      env.getPropertySources()
          .addLast(
              new MapPropertySource(
                  "llmstreamExampleDefaults",
                  Map.of("llmstream.groq.model", DEFAULT_MODEL, ENDPOINT, description)));
      return;
    }
    FakeGroqServer s = FakeGroqServer.simulated(SimulatedModel.defaults()).start();
    server = s;
    description = "simulated Groq (embedded, no API key needed) at " + s.baseUrl();
    env.getPropertySources()
        .addLast(
            new MapPropertySource(
                "llmstreamSimulatedUpstream",
                Map.of(
                    "llmstream.groq.base-url", s.baseUrl(),
                    "llmstream.groq.model", model == null ? DEFAULT_MODEL : model,
                    ENDPOINT, description)));
    LOG.info("No key and no base URL: answering from {}", description);
  }
}
