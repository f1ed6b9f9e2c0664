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

  /** Not a peer: the JDK HttpClient alone, default executor (see {@link JdkHttpClientFloor}). */
  String JDK_FLOOR = "jdk-httpclient";
  /** Not a peer: the JDK HttpClient alone, delivering on its selector thread. */
  String JDK_FLOOR_INLINE = "jdk-httpclient-inline";

  /** Every library client, in the order they are reported (the default of {@code --clients}). */
  List<String> ALL = List.of(OURS, OURS_INLINE, OPENAI_JAVA, OPENAI_JAVA_ASYNC, LANGCHAIN4J);

  /** Every client {@code --clients} accepts: the libraries and the JDK client's floor. */
  List<String> KNOWN = List.of(OURS, OURS_INLINE, OPENAI_JAVA, OPENAI_JAVA_ASYNC, LANGCHAIN4J, JDK_FLOOR, JDK_FLOOR_INLINE);

  /**
   * Whether {@code name} is another library (not ours, not the JDK client's floor).
   *
   * @param name a client name
   * @return whether it counts as a peer in ratios
   */
  static boolean isPeer(String name) {
    return !name.startsWith("ours") && !name.startsWith("jdk-");
  }

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
      case JDK_FLOOR -> "not a peer: java.net.http.HttpClient alone (default executor), a body subscriber counting content deltas by byte search";
      case JDK_FLOOR_INLINE -> "not a peer: java.net.http.HttpClient alone, executor Runnable::run (selector thread delivers)";
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
      case JDK_FLOOR -> new JdkHttpClientFloor(baseUrl, false);
      case JDK_FLOOR_INLINE -> new JdkHttpClientFloor(baseUrl, true);
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
