package dev.llmstream.groq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.ChatRequest;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GroqProviderBuilderTest {

  private static GroqProvider.Builder noEnv() {
    return GroqProvider.builder().environment(name -> null);
  }

  @Test
  void apiKeyIsRequiredForRemoteHosts() {
    assertThatThrownBy(() -> noEnv().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("set GROQ_API_KEY or call apiKey(..)");
    assertThat(GroqProvider.builder().environment(n -> n.equals("GROQ_API_KEY") ? "gsk_env" : null).build())
        .hasToString("GroqProvider[endpoint=https://api.groq.com/openai/v1/chat/completions, defaultModel=null, apiKey=****]");
  }

  @Test
  void loopbackNeedsNoKeyAndPlainHttpIsFine() {
    for (String base : new String[] {"http://localhost:11434/v1", "http://127.0.0.1:8000/v1/", "http://[::1]:8080/v1", "http://127.1.2.3/v1"}) {
      assertThat(noEnv().baseUrl(base).build().toString()).contains("apiKey=none").contains("/chat/completions");
    }
  }

  @Test
  void plainHttpToARemoteHostNeedsAnExplicitOptIn() {
    assertThatThrownBy(() -> noEnv().baseUrl("http://llm.example.com/v1").apiKey("k").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowInsecureHttp(true)");
    assertThat(noEnv().baseUrl("http://llm.example.com/v1").apiKey("k").allowInsecureHttp(true).build()).isNotNull();
    assertThatThrownBy(() -> noEnv().baseUrl("http://127.evil.com/v1").apiKey("k").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidSettingsNameTheParameter() {
    assertThatThrownBy(() -> GroqProvider.builder().baseUrl("ftp://x/v1")).hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> GroqProvider.builder().baseUrl("not a url")).hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> GroqProvider.builder().baseUrl("https://h/v1?x=1")).hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> GroqProvider.builder().idleTimeout(Duration.ZERO)).hasMessageContaining("idleTimeout");
    assertThatThrownBy(() -> GroqProvider.builder().firstTokenTimeout(Duration.ofSeconds(-1))).hasMessageContaining("firstTokenTimeout");
    assertThatThrownBy(() -> GroqProvider.builder().connectTimeout(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> GroqProvider.builder().maxRetries(-1)).hasMessageContaining("maxRetries");
    assertThatThrownBy(() -> GroqProvider.builder().maxLineLength(10)).hasMessageContaining("maxLineLength");
    assertThatThrownBy(() -> GroqProvider.builder().apiKey(" ")).hasMessageContaining("apiKey");
    assertThatThrownBy(() -> GroqProvider.builder().defaultModel("")).hasMessageContaining("defaultModel");
    assertThatThrownBy(() -> GroqProvider.builder().header("Authorization", "Bearer x")).hasMessageContaining("apiKey(..)");
    assertThatThrownBy(() -> GroqProvider.builder().header("X-A", "1").header("x-a", "2")).hasMessageContaining("already added");
    assertThatThrownBy(() -> GroqProvider.builder().header("X-A", "1\r\nInjected: 1")).hasMessageContaining("line break");
    assertThatThrownBy(() -> GroqProvider.builder().maxRetries(1).maxRetries(2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxRetries was already set");
    assertThatThrownBy(() -> noEnv().apiKey("k").httpClient(HttpClient.newHttpClient()).connectTimeout(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> noEnv().apiKey("k").httpClient(HttpClient.newHttpClient()).inlineDelivery(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("inlineDelivery").hasMessageContaining("executor");
  }

  @Test
  void theKeyNeverShows() {
    GroqProvider p = noEnv().apiKey("gsk_top_secret").header("X-Org", "o").build();
    assertThat(p.toString()).doesNotContain("gsk_top_secret");
  }

  @Test
  void closedProviderRefusesNewStreams() {
    GroqProvider p = noEnv().baseUrl("http://localhost:1/v1").defaultModel("m").build();
    p.close();
    p.close();
    assertThatThrownBy(() -> p.stream(ChatRequest.ofUser("x"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void hardeningSettingsAreValidatedAndAClientThatFollowsRedirectsIsRefused() {
    assertThatThrownBy(() -> noEnv().stallTimeout(Duration.ZERO)).hasMessageContaining("stallTimeout");
    assertThatThrownBy(() -> noEnv().maxRequestsPerAnswer(0)).hasMessageContaining("maxRequestsPerAnswer");
    assertThatThrownBy(() -> noEnv().maxRequestsPerAnswer(101)).hasMessageContaining("maxRequestsPerAnswer");
    assertThatThrownBy(() -> noEnv().apiKey("k")
            .httpClient(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Redirect.NEVER");
    assertThat(noEnv().apiKey("k").stallTimeout(Duration.ofSeconds(5)).maxRequestsPerAnswer(1).build()).isNotNull();
  }
}
