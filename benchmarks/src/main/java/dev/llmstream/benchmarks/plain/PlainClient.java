package dev.llmstream.benchmarks.plain;

import dev.llmstream.benchmarks.harness.LangChain4jClient;
import dev.llmstream.benchmarks.harness.OpenAiJavaBlockingClient;
import dev.llmstream.benchmarks.harness.RecordingSink;
import dev.llmstream.benchmarks.harness.StreamClient;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One library as the plain harness drives it: one stream at a time, from the measuring thread, through
 * the library's most natural public API; {@link #streamToEnd} returns once the sink has seen the end.
 */
interface PlainClient extends AutoCloseable {
  /** This library's default: {@code provider.stream(request).subscribe(subscriber)}, {@code request(Long.MAX_VALUE)}. */
  String OURS = StreamClient.OURS;
  /** This library with {@code GroqProvider.Builder.inlineDelivery(true)}. */
  String OURS_INLINE = StreamClient.OURS_INLINE;
  /** openai-java's blocking client: {@code createStreaming(params).stream()} on the calling thread. */
  String OPENAI_JAVA = "openai-java";
  /** openai-java's async client: {@code createStreaming(params).subscribe(handler)}. */
  String OPENAI_JAVA_ASYNC = "openai-java-async";
  /** LangChain4j's {@code OpenAiStreamingChatModel.chat(prompt, handler)} called from the measuring thread. */
  String LANGCHAIN4J = StreamClient.LANGCHAIN4J;

  /** Every client, in the order they are reported. */
  List<String> ALL = List.of(OURS, OURS_INLINE, OPENAI_JAVA, OPENAI_JAVA_ASYNC, LANGCHAIN4J);

  /** How long one stream may take before the harness gives up. */
  long TIMEOUT_SECONDS = 120;

  /**
   * Streams one answer into {@code sink} and returns when the sink has its end.
   *
   * @param sink counts the tokens and notes the first token's and the end's arrival
   * @throws Exception if the stream did not end in time or the wait was interrupted
   */
  void streamToEnd(RecordingSink sink) throws Exception;

  @Override
  void close();

  /** One sentence for the report: the API the client is driven through. */
  static String how(String name) {
    return switch (name) {
      case OURS -> "GroqProvider.stream(request, token).subscribe(subscriber), request(Long.MAX_VALUE); default delivery";
      case OURS_INLINE -> "as ours, GroqProvider.Builder.inlineDelivery(true)";
      case OPENAI_JAVA -> "OpenAIOkHttpClient, createStreaming(params).stream().forEach(..) on the measuring thread";
      case OPENAI_JAVA_ASYNC -> "OpenAIOkHttpClientAsync, createStreaming(params).subscribe(handler)";
      case LANGCHAIN4J -> "OpenAiStreamingChatModel.chat(prompt, handler) called on the measuring thread";
      default -> throw new IllegalArgumentException(name);
    };
  }

  /**
   * Builds a client.
   *
   * @param name one of {@link #ALL}
   * @param baseUrl the server's base URL
   * @return the client, to be closed
   */
  static PlainClient of(String name, String baseUrl) {
    return switch (name) {
      case OURS, OURS_INLINE -> async(StreamClient.of(name, baseUrl));
      case OPENAI_JAVA_ASYNC -> async(StreamClient.of(StreamClient.OPENAI_JAVA, baseUrl));
      case OPENAI_JAVA -> {
        OpenAiJavaBlockingClient c = new OpenAiJavaBlockingClient(baseUrl);
        yield of(c::streamOnCallingThread, c);
      }
      case LANGCHAIN4J -> {
        LangChain4jClient c = new LangChain4jClient(baseUrl);
        yield of(
            sink -> {
              c.chatOnCallingThread(sink);
              sink.awaitEnd(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            },
            c);
      }
      default -> throw new IllegalArgumentException("unknown client '" + name + "'");
    };
  }

  /** A {@link StreamClient} (its {@code stream} returns at once): start the stream, wait for its end. */
  private static PlainClient async(StreamClient c) {
    return of(
        sink -> {
          c.stream(sink);
          sink.awaitEnd(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        },
        c);
  }

  private static PlainClient of(Streamer streamer, AutoCloseable owner) {
    return new PlainClient() {
      @Override
      public void streamToEnd(RecordingSink sink) throws Exception {
        streamer.stream(sink);
      }

      @Override
      public void close() {
        try {
          owner.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing the client failed", e);
        }
      }
    };
  }

  /** The body of {@link #streamToEnd}. */
  @FunctionalInterface
  interface Streamer {
    void stream(RecordingSink sink) throws Exception;
  }
}
