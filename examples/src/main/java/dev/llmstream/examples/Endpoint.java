package dev.llmstream.examples;

import dev.llmstream.core.ChatProvider;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.SimulatedModel;
import org.jspecify.annotations.Nullable;

/**
 * Chooses where the examples send their requests: an explicit {@code --base-url}; real Groq when
 * {@code GROQ_API_KEY} (or {@code --api-key}) is set; otherwise an embedded simulated Groq server, so
 * every example runs with no key and no network. The code path is the same in all three cases: a
 * {@link GroqProvider} pointed at a base URL.
 */
public final class Endpoint implements AutoCloseable {
  /** The model used when none is given. */
  public static final String DEFAULT_MODEL = "llama-3.3-70b-versatile";

  private final ChatProvider provider;
  private final String description;
  private final @Nullable FakeGroqServer embedded;

  private Endpoint(ChatProvider provider, String description, @Nullable FakeGroqServer embedded) {
    this.provider = provider;
    this.description = description;
    this.embedded = embedded;
  }

  /**
   * Opens the endpoint.
   *
   * @param baseUrl an OpenAI-compatible base URL, or {@code null}
   * @param apiKey the API key, or {@code null} for {@code GROQ_API_KEY}
   * @param model the model, or {@code null} for {@link #DEFAULT_MODEL}
   * @param allowInsecureHttp whether plain HTTP to a non-loopback host is allowed
   * @return the endpoint; close it to stop an embedded server
   */
  public static Endpoint open(
      @Nullable String baseUrl, @Nullable String apiKey, @Nullable String model, boolean allowInsecureHttp) {
    return open(baseUrl, apiKey, model, allowInsecureHttp, b -> {});
  }

  /**
   * Opens the endpoint with further provider settings (timeouts, recovery) from the command line.
   *
   * @param baseUrl an OpenAI-compatible base URL, or {@code null}
   * @param apiKey the API key, or {@code null} for {@code GROQ_API_KEY}
   * @param model the model, or {@code null} for {@link #DEFAULT_MODEL}
   * @param allowInsecureHttp whether plain HTTP to a non-loopback host is allowed
   * @param tuning applied to the provider's builder before it is built
   * @return the endpoint; close it to stop an embedded server
   * @throws IllegalArgumentException for a configuration the provider refuses (no key for a remote
   *     server, plain http, a bad key): a usage problem, with a one-line message
   */
  public static Endpoint open(
      @Nullable String baseUrl,
      @Nullable String apiKey,
      @Nullable String model,
      boolean allowInsecureHttp,
      java.util.function.Consumer<GroqProvider.Builder> tuning) {
    String key = apiKey != null ? apiKey : System.getenv("GROQ_API_KEY");
    if (key != null && key.isBlank()) {
      key = null;
    }
    String chosenModel = model != null ? model : DEFAULT_MODEL;
    FakeGroqServer fake = null;
    String url = baseUrl;
    String description;
    if (url == null && key == null) {
      fake = FakeGroqServer.simulated(SimulatedModel.defaults()).start();
      url = fake.baseUrl();
      description = "simulated Groq (embedded, no API key needed) at " + url;
    } else if (url == null) {
      description = "Groq (api.groq.com), model " + chosenModel;
    } else {
      description = url + ", model " + chosenModel;
    }
    GroqProvider.Builder b =
        GroqProvider.builder().defaultModel(chosenModel).allowInsecureHttp(allowInsecureHttp);
    if (url != null) {
      b.baseUrl(url);
    }
    try {
      if (key != null) {
        b.apiKey(key);
      }
      tuning.accept(b);
      return new Endpoint(b.build(), description, fake);
    } catch (RuntimeException e) {
      if (fake != null) {
        fake.close();
      }
      if (e instanceof IllegalArgumentException && String.valueOf(e.getMessage()).contains("allowInsecureHttp")) {
        throw new IllegalArgumentException(e.getMessage() + " (on the command line: --allow-insecure-http)", e);
      }
      if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).startsWith("apiKey")) {
        throw new IllegalArgumentException(e.getMessage() + " (on the command line: --api-key KEY)", e);
      }
      throw e;
    }
  }

  /**
   * The provider to stream from.
   *
   * @return the provider
   */
  public ChatProvider provider() {
    return provider;
  }

  /**
   * A one-line description for the user (never the key).
   *
   * @return the description
   */
  public String description() {
    return description;
  }

  @Override
  public void close() {
    provider.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}
