package dev.llmstream.benchmarks.harness;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * LangChain4j's {@link OpenAiStreamingChatModel} (default HTTP client: the JDK's), one model instance.
 * Cancelled with the {@link StreamingHandle} handed to {@code onPartialResponse}; LangChain4j 1.8 sends no
 * callback after a cancel, so the adapter signals the end itself when {@code StreamingHandle.cancel()}
 * returns (that call closes the body stream synchronously).
 */
public final class LangChain4jClient implements StreamClient {
  private final OpenAiStreamingChatModel model;

  LangChain4jClient(String baseUrl) {
    this.model =
        OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey("bench").modelName(GroqChunks.MODEL).build();
  }

  @Override
  public Cancel stream(TokenSink sink) {
    AtomicReference<StreamingHandle> handle = new AtomicReference<>();
    AtomicBoolean cancelRequested = new AtomicBoolean();
    model.chat(
        GroqChunks.PROMPT,
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            if (handle.get() == null) {
              handle.set(context.streamingHandle());
              if (cancelRequested.get()) {
                context.streamingHandle().cancel();
                sink.onEnd(null);
                return;
              }
            }
            sink.onToken(partial.text());
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            sink.onEnd(null);
          }

          @Override
          public void onError(Throwable error) {
            sink.onEnd(error);
          }
        });
    return () -> {
      cancelRequested.set(true);
      StreamingHandle h = handle.get();
      if (h != null) {
        h.cancel();
        sink.onEnd(null);
      }
    };
  }

  @Override
  public void close() {
    // the model owns a JDK HttpClient with daemon threads; nothing to close in 1.8
  }
}
