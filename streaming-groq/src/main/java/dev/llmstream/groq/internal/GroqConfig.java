package dev.llmstream.groq.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.groq.GroqResponseInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The provider's validated, immutable settings (a snapshot taken by the builder). Thread-safe.
 *
 * @param endpoint the full {@code .../chat/completions} URI
 * @param apiKey the key, or {@code null} for servers that need none
 * @param defaultModel the model used when a request names none, or {@code null}
 * @param connectTimeout the connect timeout (of the provider-built client)
 * @param firstTokenTimeout from sending the request to the first token
 * @param idleTimeout between content events after the first token (comments do not count)
 * @param maxRetries retries before the first token
 * @param retryOn498 whether Groq's flex-tier capacity error (498) is retried
 * @param maxRetryDelay the cap on one retry delay
 * @param client the shared HTTP client
 * @param headers extra request headers
 * @param scheduler clock and timers
 * @param maxLineLength the longest SSE line or event, in bytes
 * @param onResponse the per-response listener, or {@code null}
 * @param mapper the shared Jackson mapper
 * @param http11 whether to ask for HTTP/1.1 (plain-http endpoints)
 * @param limits the size limits of one answer
 * @param permits the provider's concurrent-stream counter (shared by its streams)
 * @param stallTimeout the longest one answer may go without new content, all its requests included
 * @param maxRequestsPerAnswer the most HTTP requests one answer may cost (retries, recoveries, redirects)
 * @param random the jitter of retry and recovery delays (thread-safe; shared by the streams)
 */
public record GroqConfig(
    URI endpoint,
    @Nullable String apiKey,
    @Nullable String defaultModel,
    Duration connectTimeout,
    Duration firstTokenTimeout,
    Duration idleTimeout,
    int maxRetries,
    boolean retryOn498,
    Duration maxRetryDelay,
    HttpClient client,
    Map<String, String> headers,
    StreamScheduler scheduler,
    int maxLineLength,
    @Nullable Consumer<GroqResponseInfo> onResponse,
    ObjectMapper mapper,
    boolean http11,
    Limits limits,
    StreamPermits permits,
    Duration stallTimeout,
    int maxRequestsPerAnswer,
    RandomGenerator random) {

  /**
   * What one stream may receive.
   *
   * @param maxEventBytes the longest joined data of one SSE event, in bytes
   * @param maxAnswerChars the most text plus reasoning characters of one answer
   * @param maxToolArgumentChars the most tool-call characters (arguments, ids, names) of one answer
   */
  public record Limits(int maxEventBytes, int maxAnswerChars, int maxToolArgumentChars) {}

  /** Copies the header map. */
  public GroqConfig {
    headers = Map.copyOf(headers);
  }

  /** Never shows the API key. */
  @Override
  public String toString() {
    return "GroqConfig[endpoint=" + endpoint + ", apiKey=" + (apiKey == null ? "none" : "****")
        + ", defaultModel=" + defaultModel + "]";
  }
}
