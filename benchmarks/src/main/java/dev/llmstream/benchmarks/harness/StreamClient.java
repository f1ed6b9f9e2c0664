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
   * An experiment, not in the default parameter lists (pass {@code -p library=ours-direct}): this library
   * on an {@code HttpClient} whose executor runs tasks inline, on the client's selector thread, which
   * saves a thread hand-off per read (and the executor's threads), at the price of running the
   * subscriber on that thread.
   */
  String OURS_DIRECT = "ours-direct";
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
      case OURS -> new OursClient(baseUrl, false);
      case OURS_DIRECT -> new OursClient(baseUrl, false, java.net.http.HttpClient.newBuilder().executor(Runnable::run).build());
      case OURS_BUFFERED -> new OursClient(baseUrl, true);
      case OPENAI_JAVA -> new OpenAiJavaClient(baseUrl);
      case LANGCHAIN4J -> new LangChain4jClient(baseUrl);
      default -> throw new IllegalArgumentException(
          "library must be one of " + OURS + ", " + OURS_BUFFERED + ", " + OPENAI_JAVA + ", " + LANGCHAIN4J + "; was '" + library + "'");
    };
  }
}
