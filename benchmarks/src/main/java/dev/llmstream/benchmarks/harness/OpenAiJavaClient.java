package dev.llmstream.benchmarks.harness;

import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OpenAIOkHttpClientAsync;
import com.openai.core.http.AsyncStreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.util.Optional;

/**
 * The official {@code com.openai:openai-java} client: one {@link OpenAIClientAsync} (OkHttp), streaming
 * with {@code createStreaming(..).subscribe(handler)}, cancelled with {@link AsyncStreamResponse#close()}
 * (terminal signal: the handler's {@code onComplete}). Empty content deltas (the role chunk) are skipped,
 * as the other libraries do.
 */
public final class OpenAiJavaClient implements StreamClient {
  private final OpenAIClientAsync client;
  private final ChatCompletionCreateParams params;

  OpenAiJavaClient(String baseUrl) {
    this.client = OpenAIOkHttpClientAsync.builder().baseUrl(baseUrl).apiKey("bench").build();
    this.params = params();
  }

  @Override
  public Cancel stream(TokenSink sink) {
    AsyncStreamResponse<ChatCompletionChunk> response = client.chat().completions().createStreaming(params);
    response.subscribe(
        new AsyncStreamResponse.Handler<ChatCompletionChunk>() {
          @Override
          public void onNext(ChatCompletionChunk chunk) {
            deliver(chunk, sink);
          }

          @Override
          public void onComplete(Optional<Throwable> error) {
            sink.onEnd(error.orElse(null));
          }
        });
    return response::close;
  }

  @Override
  public void close() {
    client.close();
  }

  /** The request every openai-java stream sends: {@link GroqChunks#MODEL}, one user message. */
  static ChatCompletionCreateParams params() {
    return ChatCompletionCreateParams.builder().model(GroqChunks.MODEL).addUserMessage(GroqChunks.PROMPT).build();
  }

  /** Hands the chunk's non-empty content deltas to the sink (the role chunk's empty content is skipped). */
  static void deliver(ChatCompletionChunk chunk, TokenSink sink) {
    for (ChatCompletionChunk.Choice choice : chunk.choices()) {
      Optional<String> content = choice.delta().content();
      if (content.isPresent() && !content.get().isEmpty()) {
        sink.onToken(content.get());
      }
    }
  }
}
