package dev.llmstream.spring;

import dev.llmstream.core.RecoveryPolicy;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * {@code llmstream.groq.*}: how the auto-configured {@link dev.llmstream.groq.GroqProvider} reaches the
 * model. Every setting left unset keeps the provider's own default (see
 * {@link dev.llmstream.groq.GroqProvider.Builder}), so the defaults live in one place. Immutable;
 * {@link #toString()} never shows the key.
 *
 * @param apiKey the API key; when unset, {@code GROQ_API_KEY} from the environment. Masked at the actuator
 *     {@code /env} and {@code /configprops} endpoints
 * @param baseUrl an OpenAI-compatible base URL (default Groq's)
 * @param model the model used when a request names none
 * @param allowInsecureHttp whether plain http to a non-loopback host is allowed (default false)
 * @param connectTimeout the TCP/TLS connect timeout
 * @param firstTokenTimeout how long to wait for the first token
 * @param idleTimeout the longest silence between tokens
 * @param maxRetries retries before the first token (429, 5xx, connection errors)
 * @param maxRetryDelay the longest wait between retries ({@code retry-after} included)
 * @param recovery what a stream does when it breaks after the first token
 * @param inlineDelivery whether tokens are delivered on the HTTP client's thread (lower latency; handlers
 *     must be fast)
 * @param limits size and concurrency limits
 */
@ConfigurationProperties("llmstream.groq")
public record LlmStreamGroqProperties(
    @Nullable String apiKey,
    @Nullable String baseUrl,
    @Nullable String model,
    @Nullable Boolean allowInsecureHttp,
    @Nullable Duration connectTimeout,
    @Nullable Duration firstTokenTimeout,
    @Nullable Duration idleTimeout,
    @Nullable Integer maxRetries,
    @Nullable Duration maxRetryDelay,
    @NestedConfigurationProperty @Nullable Recovery recovery,
    @Nullable Boolean inlineDelivery,
    @NestedConfigurationProperty @Nullable Limits limits) {

  /**
   * {@code llmstream.groq.recovery.*}.
   *
   * @param strategy CONTINUE (default), RESTART_DEDUPE or FAIL
   * @param maxAttempts attempts after a break
   * @param initialBackoff the first wait before an attempt
   * @param maxBackoff the longest wait
   */
  public record Recovery(
      RecoveryPolicy.@Nullable Strategy strategy,
      @Nullable Integer maxAttempts,
      @Nullable Duration initialBackoff,
      @Nullable Duration maxBackoff) {}

  /**
   * {@code llmstream.groq.limits.*}.
   *
   * @param maxConcurrentStreams streams open at once through this provider
   * @param maxAnswerChars the longest answer accepted
   * @param maxLineLength the longest SSE line from the model, in bytes
   * @param maxEventBytes the largest SSE event from the model, in bytes
   */
  public record Limits(
      @Nullable Integer maxConcurrentStreams,
      @Nullable Integer maxAnswerChars,
      @Nullable Integer maxLineLength,
      @Nullable Integer maxEventBytes) {}

  @Override
  public String toString() {
    return "LlmStreamGroqProperties[apiKey=" + (apiKey == null ? "unset" : "******")
        + ", baseUrl=" + baseUrl + ", model=" + model + "]";
  }
}
