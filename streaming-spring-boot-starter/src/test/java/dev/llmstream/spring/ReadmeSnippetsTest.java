package dev.llmstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.spring.mvc.LlmStreamMvcAutoConfiguration;
import dev.llmstream.spring.mvc.ServletOwnerResolver;
import dev.llmstream.spring.webflux.LlmStreamWebFluxAutoConfiguration;
import dev.llmstream.spring.webflux.ReactiveOwnerResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/** The README's Java snippets are this file's code (checked verbatim), compiled and run here. */
class ReadmeSnippetsTest {
  /** What the conversation snippet assumes the application has. */
  interface ConversationHistory {
    List<ChatMessage> messages(String owner, String chat);
  }

  // --- README: Spring MVC, conversation ---
  @Configuration
  static class ChatConfig {
    @Bean
    ChatRequestFactory chatRequests(ConversationHistory history) {
      return (owner, chat, message) -> {
        List<ChatMessage> messages = new ArrayList<>(history.messages(owner, chat));
        messages.add(ChatMessage.user(message));
        return ChatRequest.of(messages);
      };
    }
  }

  // --- README: Spring MVC, owners ---
  @Configuration
  static class MvcOwners {
    @Bean
    ServletOwnerResolver tenantOwners() {
      return (request, response) -> "tenant-" + request.getHeader("X-Tenant-Id");
    }
  }

  // --- README: WebFlux, owners ---
  @Configuration
  static class FluxOwners {
    @Bean
    ReactiveOwnerResolver tenantOwners() {
      return exchange -> Mono.justOrEmpty(exchange.getRequest().getHeaders().getFirst("X-Tenant-Id"))
          .map(t -> "tenant-" + t)
          .switchIfEmpty(Mono.error(new ResponseStatusException(HttpStatus.UNAUTHORIZED)));
    }
  }

  private static final AutoConfigurations ALL =
      AutoConfigurations.of(
          LlmStreamAutoConfiguration.class,
          LlmStreamMvcAutoConfiguration.class,
          LlmStreamWebFluxAutoConfiguration.class);

  @Test
  void everyJavaBlockOfTheReadmeIsInThisFile() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String self = squash(Files.readString(Path.of("src/test/java/dev/llmstream/spring/ReadmeSnippetsTest.java")));
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    assertThat(blocks).hasSize(3);
    for (String b : blocks) {
      assertThat(self).as(b).contains(squash(b));
    }
  }

  @Test
  void theSnippetsWorkInAContext() {
    new WebApplicationContextRunner()
        .withConfiguration(ALL)
        .withPropertyValues("llmstream.groq.base-url=http://127.0.0.1:9/v1", "llmstream.groq.model=m")
        .withUserConfiguration(ChatConfig.class, MvcOwners.class)
        .withBean(ConversationHistory.class, () -> (owner, chat) -> List.of(ChatMessage.user("earlier")))
        .run(
            ctx -> {
              ChatRequest r = ctx.getBean(ChatRequestFactory.class).create("o", "c", "now");
              assertThat(r.messages()).extracting(ChatMessage::content).containsExactly("earlier", "now");
              MockHttpServletRequest req = new MockHttpServletRequest();
              req.addHeader("X-Tenant-Id", "42");
              assertThat(ctx.getBean(ServletOwnerResolver.class).resolve(req, new MockHttpServletResponse()))
                  .isEqualTo("tenant-42");
            });
    new ReactiveWebApplicationContextRunner()
        .withConfiguration(ALL)
        .withPropertyValues("llmstream.groq.base-url=http://127.0.0.1:9/v1", "llmstream.groq.model=m")
        .withUserConfiguration(FluxOwners.class)
        .run(
            ctx -> {
              ReactiveOwnerResolver owners = ctx.getBean(ReactiveOwnerResolver.class);
              MockServerWebExchange tenant =
                  MockServerWebExchange.from(MockServerHttpRequest.get("/").header("X-Tenant-Id", "7"));
              assertThat(owners.resolve(tenant).block()).isEqualTo("tenant-7");
              MockServerWebExchange anonymous = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
              assertThat(owners.resolve(anonymous).onErrorResume(e -> Mono.just(e.getClass().getSimpleName())).block())
                  .isEqualTo("ResponseStatusException");
            });
  }

  @Test
  void thePropertiesTableListsEveryPropertyOfTheMetadataAndNoOther() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    java.util.Set<String> documented = new java.util.TreeSet<>();
    for (String row : readme.split("\n")) {
      if (!row.startsWith("| `llmstream.")) {
        continue;
      }
      String cell = row.substring(2, row.indexOf(" |", 2));
      Matcher names = Pattern.compile("`([^`]+)`").matcher(cell);
      String first = null;
      while (names.find()) {
        String n = names.group(1);
        if (first == null) {
          first = n;
          documented.add(n);
        } else { // "`llmstream.a.b-c` / `d-e`": a sibling of the first
          documented.add(first.substring(0, first.lastIndexOf('.') + 1) + n);
        }
      }
    }
    java.util.Set<String> metadata = new java.util.TreeSet<>();
    Matcher m = Pattern.compile("\"name\": ?\"(llmstream\\.[^\"]+)\"")
        .matcher(Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json")));
    while (m.find()) {
      metadata.add(m.group(1));
    }
    java.util.Set<String> all = java.util.Set.copyOf(metadata);
    metadata.removeIf(n -> all.stream().anyMatch(o -> o.startsWith(n + "."))); // groups, not properties
    assertThat(metadata).hasSizeGreaterThan(30);
    assertThat(documented).containsExactlyInAnyOrderElementsOf(metadata);
  }

  private static String squash(String code) {
    return code.replaceAll("\\s+", " ").trim();
  }
}
