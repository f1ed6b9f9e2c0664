package dev.llmstream.examples.spring;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The browser chat of the {@code web} example on Spring Boot: the same page, the relay endpoints of the
 * starter ({@code POST /api/chat}, {@code GET /api/runs/{id}/events}, {@code POST /api/runs/{id}/stop}),
 * actuator health and {@code /actuator/prometheus}.
 *
 * <pre>
 * java -jar examples-spring/target/spring-chat.jar --server.port=8080 \
 *     --llmstream.groq.base-url=URL --llmstream.groq.api-key=K --llmstream.groq.model=M
 * </pre>
 *
 * <p>Without a key (property or {@code GROQ_API_KEY}) and without a base URL it starts the testkit's
 * simulated Groq ({@link SimulatedUpstream}), so it runs with no network.
 */
@SpringBootApplication
public class SpringChatApplication {
  /** For Spring. */
  public SpringChatApplication() {}

  /**
   * The conversations: replaces the starter's one-message request factory, so answers see the history.
   *
   * @param systemPrompt {@code llmstream.relay.system-prompt}
   * @return the memory
   */
  @Bean
  ChatMemory chatMemory(@Value("${llmstream.relay.system-prompt:}") String systemPrompt) {
    return new ChatMemory(systemPrompt);
  }

  /**
   * Runs the application until it is stopped.
   *
   * @param args Spring Boot arguments, such as {@code --server.port=8080}
   */
  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(SpringChatApplication.class);
    app.addListeners(new SimulatedUpstream());
    app.run(args);
  }
}
