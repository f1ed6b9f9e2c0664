package dev.llmstream.spring;

import dev.llmstream.groq.GroqProvider;

/**
 * Adjusts the auto-configured {@link GroqProvider} before it is built, after the {@code llmstream.groq.*}
 * properties were applied: headers, an HTTP client, a scheduler, a listener (the Micrometer binding
 * contributes one when a {@code MeterRegistry} exists). Customizers run in {@code @Order} order on the
 * startup thread; a builder setting set twice fails the startup (the builder refuses it).
 */
@FunctionalInterface
public interface GroqProviderCustomizer {
  /**
   * Customizes the builder.
   *
   * @param builder the provider's builder
   */
  void customize(GroqProvider.Builder builder);
}
