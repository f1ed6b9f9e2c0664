package dev.llmstream.benchmarks.harness;

/**
 * One library's streaming client, built once per trial and reused by every stream, as an application
 * would. Implementations: {@link OursClient}, {@link OpenAiJavaClient}, {@link LangChain4jClient}.
 */
public interface StreamClient extends AutoCloseable {

  /** The {@code @Param} values of the library parameter. */
  String OURS = "ours";
  /** This library with a {@code StreamBuffer} (default configuration, 50 ms window) after the stream. */
  String OURS_BUFFERED = "ours+StreamBuffer";
  /**
   * This library with {@code GroqProvider.Builder.inlineDelivery(true)}: the provider's HTTP client
   * delivers on its I/O thread, which saves a thread hand-off per read (and the executor's threads), at
   * the price of running the subscriber on that thread.
   */
  String OURS_INLINE = "ours-inline";
  /**
   * This library with {@code GroqProvider.Builder.listener(..)} set to {@code LlmStreamMetrics} on a
   * Prometheus registry (GenAI histograms, llmstream counters; no observation registry): the cost of
   * the instrumentation, against {@link #OURS} without a listener.
   */
  String OURS_METRICS = "ours+metrics";
  /** The official {@code com.openai:openai-java} client (OkHttp, async streaming). */
  String OPENAI_JAVA = "openai-java";
  /** LangChain4j's {@code OpenAiStreamingChatModel} (JDK HttpClient). */
  String LANGCHAIN4J = "langchain4j";

  /**
   * Starts one streamed chat completion of {@link GroqChunks#PROMPT}.
   *
   * @param sink receives the tokens and the end, on the library's threads
   * @return a way to cancel it
   */
  Cancel stream(TokenSink sink);

  @Override
  void close();

  /** Cancels a stream the way the library's users do. */
  interface Cancel {
    /** Cancels; idempotent. */
    void cancel();
  }

  /**
   * Builds the client of a library for a base URL.
   *
   * @param library {@link #OURS}, {@link #OPENAI_JAVA} or {@link #LANGCHAIN4J}
   * @param baseUrl the OpenAI-compatible base URL
   * @return the client
   */
  static StreamClient of(String library, String baseUrl) {
    return switch (library) {
      case OURS -> new OursClient(baseUrl, false, false, false);
      case OURS_INLINE -> new OursClient(baseUrl, false, true, false);
      case OURS_BUFFERED -> new OursClient(baseUrl, true, false, false);
      case OURS_METRICS -> new OursClient(baseUrl, false, false, true);
      case OPENAI_JAVA -> new OpenAiJavaClient(baseUrl);
      case LANGCHAIN4J -> new LangChain4jClient(baseUrl);
      default -> throw new IllegalArgumentException(
          "library must be one of " + OURS + ", " + OURS_BUFFERED + ", " + OURS_INLINE + ", " + OURS_METRICS + ", " + OPENAI_JAVA + ", " + LANGCHAIN4J + "; was '" + library + "'");
    };
  }
}
