package dev.llmstream.benchmarks.harness;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

/**
 * The official {@code com.openai:openai-java} client in its blocking form, the one its README shows first
 * for streaming: one {@link OpenAIClient} (OkHttp), {@code createStreaming(params)} and a
 * {@code stream()} consumed on the calling thread. Not a {@link StreamClient} (whose {@code stream} must
 * return at once): the plain harness drives it, one stream at a time.
 */
public final class OpenAiJavaBlockingClient implements AutoCloseable {
  private final OpenAIClient client;
  private final ChatCompletionCreateParams params = OpenAiJavaClient.params();

  /**
   * Builds the client for a base URL.
   *
   * @param baseUrl the OpenAI-compatible base URL
   */
  public OpenAiJavaBlockingClient(String baseUrl) {
    this.client = OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey("bench").build();
  }

  /**
   * Streams one answer on the calling thread: every non-empty content delta to {@code sink}, then its end
   * ({@code onEnd(null)}, or the failure).
   *
   * @param sink receives the tokens and the end, on the calling thread
   */
  public void streamOnCallingThread(TokenSink sink) {
    try (StreamResponse<ChatCompletionChunk> response = client.chat().completions().createStreaming(params)) {
      response.stream().forEach(chunk -> OpenAiJavaClient.deliver(chunk, sink));
    } catch (RuntimeException e) {
      sink.onEnd(e);
      return;
    }
    sink.onEnd(null);
  }

  @Override
  public void close() {
    client.close();
  }
}
