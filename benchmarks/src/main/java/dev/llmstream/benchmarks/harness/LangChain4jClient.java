package dev.llmstream.benchmarks.harness;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * LangChain4j's {@link OpenAiStreamingChatModel} (default HTTP client: the JDK's), one model instance.
 * Cancelled with the {@link StreamingHandle} handed to {@code onPartialResponse}; LangChain4j 1.8 sends no
 * callback after a cancel, so the adapter signals the end itself when {@code StreamingHandle.cancel()}
 * returns (that call closes the body stream synchronously).
 *
 * <p>{@code chat(..)} is called from a helper thread: LangChain4j 1.8's {@code JdkHttpClient} attaches its
 * SSE reading loop with {@code sendAsync(..).thenAccept(..)}, so when the response head is already there
 * (as on loopback) the whole stream is read on the calling thread, which would block the benchmark
 * thread. Against a remote server the loop runs on the HTTP client's executor; the helper thread
 * reproduces that (one thread per stream either way: the loop blocks on an {@code InputStream}).
 */
public final class LangChain4jClient implements StreamClient {
  private final OpenAiStreamingChatModel model;
  private final ExecutorService callers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "langchain4j-caller");
            t.setDaemon(true);
            return t;
          });

  /**
   * Builds the model for a base URL.
   *
   * @param baseUrl the OpenAI-compatible base URL
   */
  public LangChain4jClient(String baseUrl) {
    this.model =
        OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey("bench").modelName(GroqChunks.MODEL).build();
  }

  @Override
  public Cancel stream(TokenSink sink) {
    AtomicReference<StreamingHandle> handle = new AtomicReference<>();
    AtomicBoolean cancelRequested = new AtomicBoolean();
    callers.execute(() -> chat(sink, handle, cancelRequested));
    return () -> {
      cancelRequested.set(true);
      StreamingHandle h = handle.get();
      if (h != null) {
        h.cancel();
        sink.onEnd(null);
      }
    };
  }

  /**
   * Calls {@code OpenAiStreamingChatModel.chat(prompt, handler)} on the calling thread, as an application
   * does, with a handler that delivers to {@code sink}; returns when {@code chat} returns (on loopback the
   * whole stream may have been read by then, otherwise it continues on the HTTP client's threads). The
   * end arrives at {@link TokenSink#onEnd}. No cancel.
   *
   * @param sink receives the tokens and the end
   */
  public void chatOnCallingThread(TokenSink sink) {
    chat(sink, new AtomicReference<>(), new AtomicBoolean());
  }

  private void chat(TokenSink sink, AtomicReference<StreamingHandle> handle, AtomicBoolean cancelRequested) {
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
  }

  @Override
  public void close() {
    // the model owns a JDK HttpClient with daemon threads; nothing to close in 1.8
    callers.shutdown();
  }
}
