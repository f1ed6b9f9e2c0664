package dev.llmstream.groq;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatProvider;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamListener;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.TokenStream;
import dev.llmstream.groq.internal.AnswerSources;
import dev.llmstream.groq.internal.ApiKeys;
import dev.llmstream.groq.internal.BaseUrls;
import dev.llmstream.groq.internal.DeliveryExecutor;
import dev.llmstream.core.spi.StreamSource;
import dev.llmstream.groq.internal.GroqConfig;
import dev.llmstream.groq.internal.JsonSupport;
import dev.llmstream.groq.internal.RequestEncoder;
import dev.llmstream.groq.internal.StreamPermits;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Streams chat completions from Groq ({@code https://api.groq.com/openai/v1}) or any OpenAI-compatible
 * server (Ollama, vLLM, llama.cpp, ...): {@code POST {baseUrl}/chat/completions} with
 * {@code stream: true}, read as Server-Sent Events.
 *
 * <pre>{@code
 * try (GroqProvider groq = GroqProvider.builder().defaultModel("llama-3.3-70b-versatile").build()) {
 *   ChatResponse answer = groq.stream(ChatRequest.ofUser("Hello")).collect().join();
 * }
 * }</pre>
 *
 * <p><b>Streams.</b> {@link #stream(ChatRequest, CancellationToken)} does no I/O; the request goes out when
 * the returned {@link TokenStream} is subscribed to. Events: {@link dev.llmstream.core.StreamEvent.Waiting}
 * when the response headers arrive (unless disabled with {@link Builder#emitWaiting(boolean)}), then text,
 * reasoning and tool-call deltas, then {@link dev.llmstream.core.StreamEvent.Finish} carrying the usage
 * (when the server reports it; a finish is held for a trailing usage chunk). The stream completes on the
 * final chunk (or {@code [DONE]}) at once, without waiting for the server to close the connection.
 *
 * <p><b>Errors</b> are {@link dev.llmstream.core.StreamException} subclasses: authentication (401/403),
 * bad request (400/404/413/422), rate limit (429, with the parsed {@code x-ratelimit-*} headers), capacity
 * (498/503), server (5xx), timeout (connect, first token, idle), protocol (malformed stream), limit
 * exceeded (see <b>Limits</b>), connection, and upstream (an error sent
 * inside a 200 stream). Each carries the HTTP status, the request id when known and the partial answer,
 * never the API key.
 *
 * <p><b>Limits.</b> Whatever a server sends, a stream holds bounded memory: each limit below, when
 * exceeded, fails the stream with a {@link dev.llmstream.core.StreamException} ({@code LIMIT_EXCEEDED}) whose message names
 * the limit and the builder method that raises it, with the answer received so far as the partial answer.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>builder method</th><th>default</th><th>bounds</th></tr>
 *   <tr><td>{@link Builder#maxLineLength(int)}</td><td>{@value GroqDefaults#MAX_LINE_LENGTH} bytes</td><td>one SSE line, in bytes</td></tr>
 *   <tr><td>{@link Builder#maxEventBytes(int)}</td><td>= maxLineLength</td><td>the joined data of one
 *       SSE event, in bytes</td></tr>
 *   <tr><td>{@link Builder#maxAnswerChars(int)}</td><td>{@value GroqDefaults#MAX_ANSWER_CHARS}</td><td>text plus reasoning of one
 *       answer, in characters</td></tr>
 *   <tr><td>{@link Builder#maxToolArgumentChars(int)}</td><td>{@value GroqDefaults#MAX_TOOL_ARGUMENT_CHARS}</td><td>all tool calls of one
 *       answer (arguments, ids, names), in characters</td></tr>
 *   <tr><td>{@link Builder#maxConcurrentStreams(int)}</td><td>unlimited</td><td>streams of this provider
 *       running at once; one more fails at subscription, without sending a request or blocking</td></tr>
 * </table>
 *
 * <p>HTTP error bodies are read up to 64 KiB; the core's event queue is bounded
 * ({@link dev.llmstream.core.TokenStream}).
 *
 * <p><b>Retries.</b> Before the first token only: {@code x-should-retry} decides when present; otherwise
 * connection failures, 408, 409, 429, 5xx and a first-token timeout without any response are retried,
 * 400/401/403/404/413/422 never, 498 only with {@link Builder#retryOn498(boolean)}. The delay is the larger of the server's
 * {@code retry-after-ms}/{@code retry-after} and exponential backoff (from
 * {@link GroqDefaults#RETRY_INITIAL_BACKOFF_MILLIS}, doubling to {@link GroqDefaults#RETRY_MAX_BACKOFF_MILLIS},
 * shortened at random by up to {@link GroqDefaults#RETRY_JITTER}), capped by
 * {@link Builder#maxRetryDelay(Duration)}; a server asking for a longer wait is not retried. Nothing is
 * retried after a cancel. The jitter comes from {@link Builder#random(RandomGenerator)}.
 *
 * <p><b>Recovery.</b> After the first token a broken stream (the connection cut or the body ended before
 * a finish reason or {@code [DONE]}, the idle timeout, a retryable {@code event: error}) is recovered as
 * the {@link Builder#recovery(RecoveryPolicy)} policy says; the default, {@link RecoveryPolicy#defaults()},
 * continues the answer: the request is sent again with the partial answer as a trailing assistant message
 * (Groq continues a prefilled assistant message), and the stream delivers a
 * {@link dev.llmstream.core.StreamEvent.Recovering} event and then the continuation, so the subscriber sees
 * one continuous answer; a continuation that restarts the answer (a server that ignores the prefill) is
 * recognised and its repeat dropped. Each recovery attempt is one request with its own retries before its
 * first token. See {@link RecoveryPolicy} for the strategies and {@code docs/RECOVERY.md} for what is
 * recovered.
 *
 * <p><b>Every answer ends.</b> Comments are not progress; a finished answer waits at most
 * {@value GroqDefaults#FINISH_GRACE_MILLIS} ms for its usage; {@link Builder#stallTimeout(Duration)} bounds the
 * time without new content across all retries and recoveries, and {@link Builder#maxRequestsPerAnswer(int)} the
 * requests one answer costs (defaults in {@link GroqDefaults}).
 *
 * <p><b>Upstream formats.</b> A leading UTF-8 byte order mark is skipped; {@code gzip} and {@code deflate}
 * bodies are inflated as they stream (another {@code Content-Encoding} is a {@code PROTOCOL} error, not
 * retried); a server that ignores {@code stream: true} and answers one {@code chat.completion} object is
 * delivered as a one-chunk answer. Only 307/308 redirects to the same origin are followed; others fail
 * naming the {@code Location}, and the API key never goes to another origin.
 *
 * <p><b>Threads.</b> Thread-safe: one provider serves any number of concurrent streams over one shared
 * {@link HttpClient}, with no thread per stream and no state shared between streams. Events are delivered
 * on the HTTP client's threads or the scheduler's timer threads; a subscriber that must not run there
 * hands events on, as {@code UiConnection.connect} does. The provider's own client delivers by default on
 * a small pool of daemon threads named {@code llmstream-delivery-N}: as many as processors, whatever the
 * number of streams; a thread more only while every one is held by a subscriber blocked in
 * {@code onNext} (no task finished for 50 ms with tasks waiting), so blocking subscribers slow their
 * provider's other streams but do not stall them; idle threads end after 30 s. With
 * {@link Builder#inlineDelivery(boolean)} the client's one I/O thread delivers.
 */
public final class GroqProvider implements ChatProvider {
  /** Groq's OpenAI-compatible API base URL, the default. */
  public static final String DEFAULT_BASE_URL = "https://api.groq.com/openai/v1";

  /** The default of {@link Builder#stallTimeout(Duration)}: {@link GroqDefaults#STALL_TIMEOUT_SECONDS}. */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(GroqDefaults.STALL_TIMEOUT_SECONDS);

  /** The default of {@link Builder#maxRequestsPerAnswer(int)}: {@value}. */
  public static final int DEFAULT_MAX_REQUESTS_PER_ANSWER = GroqDefaults.MAX_REQUESTS_PER_ANSWER;

  private final GroqConfig config;
  private final boolean emitWaiting;
  private final RecoveryPolicy recovery;
  private final RequestEncoder encoder;
  private final @Nullable StreamListener listener;
  private volatile boolean closed;

  private GroqProvider(
      GroqConfig config, boolean emitWaiting, RecoveryPolicy recovery, @Nullable StreamListener listener) {
    this.config = config;
    this.listener = listener;
    this.emitWaiting = emitWaiting;
    this.recovery = recovery;
    this.encoder = new RequestEncoder(config.mapper());
  }

  /**
   * Starts a builder with the defaults: Groq's base URL, the key from {@code GROQ_API_KEY}, the timeouts,
   * retries and limits of {@link GroqDefaults}, recovery {@link RecoveryPolicy#defaults()} (continue the
   * answer), {@link Builder#maxEventBytes(int) maxEventBytes} = maxLineLength and
   * {@link Builder#maxConcurrentStreams(int) maxConcurrentStreams} unlimited.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Prepares a streamed answer; the request is sent on subscription.
   *
   * @param request the conversation and options
   * @param cancellation a token that stops the stream from any thread
   * @return a cold, single-subscriber stream
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the request names no model and the provider has no default
   *     model, or a tool's parameter schema is not valid JSON
   * @throws IllegalStateException if the provider was closed
   */
  @Override
  public TokenStream stream(ChatRequest request, CancellationToken cancellation) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(cancellation, "cancellation");
    if (closed) {
      throw new IllegalStateException("GroqProvider is closed");
    }
    String model = request.model() != null ? request.model() : config.defaultModel();
    if (model == null) {
      throw new IllegalArgumentException(
          "model: the request names no model and the provider has none; set ChatRequest.withModel(..) "
              + "or GroqProvider.Builder.defaultModel(..)");
    }
    byte[] body = encoder.encode(request, model); // fails here, not on subscription, for a bad request
    StreamListener l = listener;
    StreamSource source = AnswerSources.source(config, encoder, request, model, body, emitWaiting, recovery);
    return TokenStream.create(
        l == null ? source : AnswerSources.instrumented(config, model, source, l, cancellation), cancellation);
  }

  /**
   * Closes the provider: further {@link #stream} calls fail. Streams in flight are not cancelled. The
   * HTTP client (the provider's own or the caller's) is left to the garbage collector and the caller
   * respectively; the provider's own client uses daemon threads. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
  }

  /** Shows the endpoint and model, never the API key. */
  @Override
  public String toString() {
    return "GroqProvider[endpoint="
        + config.endpoint()
        + ", defaultModel="
        + config.defaultModel()
        + ", apiKey="
        + (config.apiKey() == null ? "none" : "****")
        + "]";
  }

  /**
   * Configures a {@link GroqProvider}. Each method validates its argument at once and names it in the
   * error; setting a value twice is an error. Not thread-safe; {@link #build()} takes a snapshot.
   */
  public static final class Builder {
    private static final Set<String> RESERVED_HEADERS =
        Set.of(
            "authorization", "content-type", "accept", "content-length", "host", "connection", "expect", "upgrade");

    private @Nullable String apiKey;
    private @Nullable String baseUrl;
    private @Nullable String defaultModel;
    private @Nullable Duration connectTimeout;
    private @Nullable Duration firstTokenTimeout;
    private @Nullable Duration idleTimeout;
    private @Nullable Integer maxRetries;
    private @Nullable Duration stallTimeout;
    private @Nullable Integer maxRequestsPerAnswer;
    private @Nullable Boolean retryOn498;
    private @Nullable Duration maxRetryDelay;
    private @Nullable HttpClient httpClient;
    private @Nullable Boolean inlineDelivery;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private @Nullable StreamScheduler scheduler;
    private @Nullable Integer maxLineLength;
    private @Nullable Integer maxEventBytes;
    private @Nullable Integer maxAnswerChars;
    private @Nullable Integer maxToolArgumentChars;
    private @Nullable Integer maxConcurrentStreams;
    private @Nullable Boolean allowInsecureHttp;
    private @Nullable Consumer<GroqResponseInfo> onResponse;
    private @Nullable Boolean emitWaiting;
    private @Nullable RecoveryPolicy recovery;
    private @Nullable StreamListener listener;
    private Function<String, @Nullable String> environment = System::getenv;
    private @Nullable RandomGenerator random;

    private Builder() {}

    /**
     * Sets the API key; without it {@code GROQ_API_KEY} is read at {@link #build()}. The key is sent as
     * {@code Authorization: Bearer ...} and never appears in messages, logs or {@code toString()}.
     *
     * @param apiKey the key
     * @return this builder
     * @throws NullPointerException if {@code apiKey} is null
     * @throws IllegalArgumentException if {@code apiKey} is blank or, once leading and trailing white space
     *     is stripped, has a character an HTTP header cannot carry or no key has (anything but printable
     *     ASCII: a space, a line break, a control character, a zero-width space or curly quote picked up by
     *     copy-paste); the message names the character's position and kind, never the key
     * @throws IllegalStateException if already set
     */
    public Builder apiKey(String apiKey) {
      Objects.requireNonNull(apiKey, "apiKey");
      unset(this.apiKey, "apiKey");
      if (apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey must not be blank");
      }
      this.apiKey = ApiKeys.checked(apiKey.strip(), "apiKey");
      return this;
    }

    /**
     * Sets the API base URL (default {@value GroqProvider#DEFAULT_BASE_URL}); {@code /chat/completions}
     * is appended. Any OpenAI-compatible base works, such as {@code http://localhost:11434/v1} (Ollama).
     * Plain {@code http} is accepted for loopback hosts; other hosts need {@link #allowInsecureHttp(boolean)}.
     *
     * @param baseUrl an absolute http or https URL
     * @return this builder
     * @throws NullPointerException if {@code baseUrl} is null
     * @throws IllegalArgumentException if it is not an absolute http(s) URL with a host
     * @throws IllegalStateException if already set
     */
    public Builder baseUrl(String baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      unset(this.baseUrl, "baseUrl");
      BaseUrls.parse(baseUrl);
      this.baseUrl = baseUrl;
      return this;
    }

    /**
     * Sets the model used when a request names none.
     *
     * @param model such as {@code llama-3.3-70b-versatile}
     * @return this builder
     * @throws NullPointerException if {@code model} is null
     * @throws IllegalArgumentException if blank
     * @throws IllegalStateException if already set
     */
    public Builder defaultModel(String model) {
      Objects.requireNonNull(model, "model");
      unset(this.defaultModel, "defaultModel");
      if (model.isBlank()) {
        throw new IllegalArgumentException("defaultModel must not be blank");
      }
      this.defaultModel = model;
      return this;
    }

    /**
     * Sets the connect timeout of the provider's own HTTP client (default {@value GroqDefaults#CONNECT_TIMEOUT_SECONDS} s). A client passed with
     * {@link #httpClient(HttpClient)} keeps its own setting.
     *
     * @param timeout positive
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder connectTimeout(Duration timeout) {
      unset(this.connectTimeout, "connectTimeout");
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the longest wait from sending the request to the first token (default {@value GroqDefaults#FIRST_TOKEN_TIMEOUT_SECONDS} s), including the
     * response headers and Groq's queue time; keep-alive comments do not stop it (a stalled model sends
     * them too). Retried like a server error only when no response arrived at all: after 2xx headers the
     * server has the request and its model is silent, and sending the prompt again would double the wait.
     * The timer pauses while the subscriber has no demand. {@link #stallTimeout(Duration)} bounds the
     * total.
     *
     * @param timeout positive
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder firstTokenTimeout(Duration timeout) {
      unset(this.firstTokenTimeout, "firstTokenTimeout");
      this.firstTokenTimeout = positive(timeout, "firstTokenTimeout");
      return this;
    }

    /**
     * Sets the longest wait for new content (a text, reasoning or tool-call delta, usage, the finish) after
     * the first token (default {@value GroqDefaults#IDLE_TIMEOUT_SECONDS} s). Keep-alive comments and empty chunks keep the connection alive but
     * do not reset it; it does not run while the subscriber has no demand. An expired idle timeout is
     * recovered as the {@link #recovery(RecoveryPolicy) recovery policy} says.
     *
     * @param timeout positive
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder idleTimeout(Duration timeout) {
      unset(this.idleTimeout, "idleTimeout");
      this.idleTimeout = positive(timeout, "idleTimeout");
      return this;
    }

    /**
     * Sets the longest one answer may go without new content (a text, reasoning or tool-call delta) while
     * the subscriber is waiting, counted across all its requests: retries, recovery attempts and the
     * backoffs between them (default {@value GroqDefaults#STALL_TIMEOUT_SECONDS} s). Then the current
     * request is aborted and the stream fails with an {@link dev.llmstream.core.ErrorKind#TIMEOUT}
     * {@link dev.llmstream.core.StreamException} holding the partial answer, whatever retries or recoveries
     * were left. Keep-alive comments are not content. It bounds what {@link #firstTokenTimeout(Duration)},
     * {@link #idleTimeout(Duration)}, {@link #maxRetries(int)} and the {@link #recovery(RecoveryPolicy)
     * recovery policy} would add up to.
     *
     * @param timeout positive
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder stallTimeout(Duration timeout) {
      unset(this.stallTimeout, "stallTimeout");
      this.stallTimeout = positive(timeout, "stallTimeout");
      return this;
    }

    /**
     * Sets the most HTTP requests one answer may cost: the first, its retries, every recovery attempt and
     * their retries, and followed redirects together (default
     * {@value GroqDefaults#MAX_REQUESTS_PER_ANSWER}). A retry or recovery that would exceed it is not
     * made: the stream fails with a {@link dev.llmstream.core.ErrorKind#LIMIT_EXCEEDED} error naming this setting,
     * the last failure as its cause and the partial answer kept. It wins over {@link #maxRetries(int)} and
     * {@link RecoveryPolicy#maxAttempts()}.
     *
     * @param requests from 1 to 100
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxRequestsPerAnswer(int requests) {
      unset(this.maxRequestsPerAnswer, "maxRequestsPerAnswer");
      this.maxRequestsPerAnswer = inRange(requests, 1, 100, "maxRequestsPerAnswer");
      return this;
    }

    /**
     * Sets how many times a request is retried before the first token (default
     * {@value GroqDefaults#MAX_RETRIES}).
     *
     * @param retries from 0 to 10
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxRetries(int retries) {
      unset(this.maxRetries, "maxRetries");
      if (retries < 0 || retries > 10) {
        throw new IllegalArgumentException("maxRetries must be in [0, 10], was " + retries);
      }
      this.maxRetries = retries;
      return this;
    }

    /**
     * Whether Groq's flex-tier "capacity exceeded" (HTTP 498) is retried (default {@code false}: the
     * flex tier is designed to fail fast).
     *
     * @param retry {@code true} to retry 498
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder retryOn498(boolean retry) {
      unset(this.retryOn498, "retryOn498");
      this.retryOn498 = retry;
      return this;
    }

    /**
     * Sets the cap on one retry delay (default {@value GroqDefaults#MAX_RETRY_DELAY_SECONDS} s). A server that asks for a longer wait
     * ({@code retry-after}) is not retried: its error is delivered with the advised delay.
     *
     * @param cap positive
     * @return this builder
     * @throws NullPointerException if {@code cap} is null
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder maxRetryDelay(Duration cap) {
      unset(this.maxRetryDelay, "maxRetryDelay");
      this.maxRetryDelay = positive(cap, "maxRetryDelay");
      return this;
    }

    /**
     * Whether the provider's own HTTP client hands response bytes to the streams on its I/O thread
     * instead of passing each network read to a delivery thread (default {@code false}).
     *
     * <p>With {@code true}, every stream's events, and so your subscribers' {@code onNext}, run on the
     * HTTP client's one I/O (selector) thread. That saves a thread hand-off per read: on the loopback
     * benchmarks about 1.7&times; the single-stream throughput, a lower first-token and delivery-lag tail,
     * and no delivery threads at all (see {@code benchmarks/README.md}). The price: a
     * subscriber that blocks, or takes long, stalls every stream of this provider and their timeouts.
     * Turn it on when subscribers hand events off at once ({@code UiConnection.connect} with a UI executor, a
     * {@code UiConnection.buffer} feeding a UI, a non-blocking server); leave it off when {@code onNext} writes to
     * a blocking socket or does real work.
     *
     * <p>Applies to the provider's own client only: with {@link #httpClient(HttpClient)} choose that
     * client's executor yourself ({@code HttpClient.newBuilder().executor(Runnable::run)} is the same).
     *
     * @param inline {@code true} to deliver on the I/O thread
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder inlineDelivery(boolean inline) {
      unset(this.inlineDelivery, "inlineDelivery");
      this.inlineDelivery = inline;
      return this;
    }

    /**
     * Uses the caller's HTTP client (shared by all streams of this provider; the caller owns it). Without
     * it the provider builds one client.
     *
     * @param client the client
     * @return this builder
     * @throws NullPointerException if {@code client} is null
     * @throws IllegalStateException if already set
     */
    public Builder httpClient(HttpClient client) {
      Objects.requireNonNull(client, "client");
      unset(this.httpClient, "httpClient");
      this.httpClient = client;
      return this;
    }

    /**
     * Adds a header to every request (for example an organisation or a proxy's header).
     *
     * @param name the header name
     * @param value the value
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the name is not a token, the value has a character a header cannot
     *     carry (a line break or another control character, anything above U+00FF), the name is managed by the
     *     provider ({@code Authorization}: use {@link #apiKey(String)}; {@code Content-Type},
     *     {@code Accept}, ...) or was already added
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isBlank() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
        throw new IllegalArgumentException("header name must be a token, was '" + name + "'");
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (!(c == '\t' || (c >= 0x20 && c < 0x7F) || (c >= 0x80 && c <= 0xFF))) {
          // named by position and kind, never quoted: header values are often tokens too
          throw new IllegalArgumentException(
              "header value of '" + name + "': character " + (i + 1) + " is " + ApiKeys.describe(value.codePointAt(i))
                  + ", which an HTTP header cannot carry");
        }
      }
      String lower = name.toLowerCase(Locale.ROOT);
      if (RESERVED_HEADERS.contains(lower)) {
        throw new IllegalArgumentException(
            "header '" + name + "' is managed by the provider"
                + (lower.equals("authorization") ? "; set the key with apiKey(..)" : ""));
      }
      for (String existing : headers.keySet()) {
        if (existing.equalsIgnoreCase(name)) {
          throw new IllegalArgumentException("header '" + name + "' was already added");
        }
      }
      headers.put(name, value);
      return this;
    }

    /**
     * Sets the clock and timer for the first-token and idle timeouts and the retry backoff (default
     * {@link StreamScheduler#system()}); tests pass a virtual one.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws NullPointerException if {@code scheduler} is null
     * @throws IllegalStateException if already set
     */
    public Builder scheduler(StreamScheduler scheduler) {
      Objects.requireNonNull(scheduler, "scheduler");
      unset(this.scheduler, "scheduler");
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Sets the longest SSE line accepted (default {@value GroqDefaults#MAX_LINE_LENGTH} bytes); unless {@link #maxEventBytes(int)} is set, also
     * the longest data of one event. Longer input fails the stream with a
     * {@link dev.llmstream.core.StreamException} ({@code LIMIT_EXCEEDED}) naming this setting instead of growing memory.
     *
     * @param bytes from 1 KiB to 64 MiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxLineLength(int bytes) {
      unset(this.maxLineLength, "maxLineLength");
      if (bytes < 1024 || bytes > 64 * 1024 * 1024) {
        throw new IllegalArgumentException("maxLineLength must be in [1024, 67108864] bytes, was " + bytes);
      }
      this.maxLineLength = bytes;
      return this;
    }

    /**
     * Sets the longest joined data of one SSE event accepted (default: the {@link #maxLineLength(int)},
     * 1 MiB). A longer event fails the stream with a {@link dev.llmstream.core.StreamException} ({@code LIMIT_EXCEEDED})
     * naming this setting.
     *
     * @param bytes from 1 KiB to 64 MiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxEventBytes(int bytes) {
      unset(this.maxEventBytes, "maxEventBytes");
      this.maxEventBytes = inRange(bytes, 1024, 64 * 1024 * 1024, "maxEventBytes");
      return this;
    }

    /**
     * Sets the most characters of text plus reasoning one answer may have (default {@value GroqDefaults#MAX_ANSWER_CHARS}).
     * The chunk that would exceed it is not delivered: the stream fails with a
     * {@link dev.llmstream.core.StreamException} ({@code LIMIT_EXCEEDED}) naming this setting, the answer so far being
     * the partial answer. Set it below the model's output limit only to cap a runaway server.
     *
     * @param chars from 1 to {@link Integer#MAX_VALUE}
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder maxAnswerChars(int chars) {
      unset(this.maxAnswerChars, "maxAnswerChars");
      this.maxAnswerChars = inRange(chars, 1, Integer.MAX_VALUE, "maxAnswerChars");
      return this;
    }

    /**
     * Sets the most characters the tool calls of one answer may have together: arguments, ids and
     * names of all calls (default {@value GroqDefaults#MAX_TOOL_ARGUMENT_CHARS}). Exceeding it fails the stream like
     * {@link #maxAnswerChars(int)}, naming this setting.
     *
     * @param chars from 1 to {@link Integer#MAX_VALUE}
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder maxToolArgumentChars(int chars) {
      unset(this.maxToolArgumentChars, "maxToolArgumentChars");
      this.maxToolArgumentChars = inRange(chars, 1, Integer.MAX_VALUE, "maxToolArgumentChars");
      return this;
    }

    /**
     * Limits how many streams of this provider run at once (default: no limit). A stream counts from
     * its subscription to its end (completed, failed or cancelled). One more subscription never blocks:
     * that stream fails at once with a {@link dev.llmstream.core.StreamException} ({@code LIMIT_EXCEEDED}) naming this
     * setting, and no request is sent.
     *
     * @param streams at least 1
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder maxConcurrentStreams(int streams) {
      unset(this.maxConcurrentStreams, "maxConcurrentStreams");
      this.maxConcurrentStreams = inRange(streams, 1, Integer.MAX_VALUE, "maxConcurrentStreams");
      return this;
    }

    /**
     * Allows a plain-http base URL on a non-loopback host (default {@code false}), which sends the API
     * key in clear text over the network. Loopback hosts ({@code localhost}, 127.0.0.0/8, {@code ::1})
     * never need it.
     *
     * @param allow {@code true} to allow
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder allowInsecureHttp(boolean allow) {
      unset(this.allowInsecureHttp, "allowInsecureHttp");
      this.allowInsecureHttp = allow;
      return this;
    }

    /**
     * Sets a listener told about every HTTP response (status, request id, rate-limit snapshot), on the
     * HTTP client's thread; it must be quick. Exceptions it throws are logged and ignored.
     *
     * @param listener the listener
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     * @throws IllegalStateException if already set
     */
    public Builder onResponse(Consumer<GroqResponseInfo> listener) {
      Objects.requireNonNull(listener, "listener");
      unset(this.onResponse, "onResponse");
      this.onResponse = listener;
      return this;
    }

    /**
     * Sets a listener that observes every stream of this provider (attributes, timings, outcome), whether
     * or not a UI is attached: the hook for metrics and tracing, e.g. {@code
     * LlmStreamMetrics.builder(registry).build()} from {@code streaming-micrometer}. Without one the
     * provider does no instrumentation work. Its exceptions are logged and ignored.
     *
     * @param listener the listener, thread-safe and non-blocking
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     * @throws IllegalStateException if already set
     */
    public Builder listener(StreamListener listener) {
      Objects.requireNonNull(listener, "listener");
      unset(this.listener, "listener");
      this.listener = listener;
      return this;
    }

    /**
     * Whether streams start with a {@link dev.llmstream.core.StreamEvent.Waiting} event when the
     * response headers arrive (default {@code true}; UIs show a typing indicator on it).
     *
     * @param emit {@code false} for streams of content events only
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder emitWaiting(boolean emit) {
      unset(this.emitWaiting, "emitWaiting");
      this.emitWaiting = emit;
      return this;
    }

    /**
     * Sets what a stream does when it breaks after the first token (default
     * {@link RecoveryPolicy#defaults()}: continue the answer from a prefill, with its backoff on the
     * {@link #scheduler(StreamScheduler) scheduler} and its jitter from {@link #random(RandomGenerator)}).
     * {@link RecoveryPolicy#disabled()} fails such a stream with its partial answer. Failures before the
     * first token are governed by {@link #maxRetries(int)} instead.
     *
     * @param policy the policy
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     * @throws IllegalStateException if already set
     */
    public Builder recovery(RecoveryPolicy policy) {
      Objects.requireNonNull(policy, "policy");
      unset(this.recovery, "recovery");
      this.recovery = policy;
      return this;
    }

    /**
     * Sets where the jitter of retry and recovery delays comes from (and the seed a
     * {@link RecoveryPolicy.Strategy#RESTART_DEDUPE} recovery picks for a request without one); default a
     * new {@link java.util.Random} per provider. Shared by all streams: it must be thread-safe. Tests pass a
     * seeded one for repeatable delays.
     *
     * @param random the source
     * @return this builder
     * @throws NullPointerException if {@code random} is null
     * @throws IllegalStateException if already set
     */
    public Builder random(RandomGenerator random) {
      Objects.requireNonNull(random, "random");
      unset(this.random, "random");
      this.random = random;
      return this;
    }

    /** For tests: where environment variables are read. */
    Builder environment(Function<String, @Nullable String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /**
     * Builds the provider.
     *
     * @return the provider
     * @throws IllegalStateException if no API key is set nor in {@code GROQ_API_KEY} for a non-loopback
     *     base URL, or {@link #connectTimeout(Duration)} or {@link #inlineDelivery(boolean)} was combined
     *     with {@link #httpClient(HttpClient)}
     * @throws IllegalArgumentException if the base URL is plain http on a non-loopback host without
     *     {@link #allowInsecureHttp(boolean)}, the {@link #httpClient(HttpClient)} follows redirects, or {@code GROQ_API_KEY} holds a character no key has (see
     *     {@link #apiKey(String)}; the message names its position and kind, never the key)
     */
    public GroqProvider build() {
      String base = baseUrl != null ? baseUrl : DEFAULT_BASE_URL;
      URI baseUri = BaseUrls.parse(base);
      boolean loopback = BaseUrls.isLoopback(baseUri.getHost());
      boolean http = baseUri.getScheme().equalsIgnoreCase("http");
      if (http && !loopback && !Boolean.TRUE.equals(allowInsecureHttp)) {
        throw new IllegalArgumentException(
            "baseUrl: plain http to the non-loopback host '" + baseUri.getHost()
                + "' would send the API key in clear text; use https or call allowInsecureHttp(true)");
      }
      String key = apiKey;
      if (key == null) {
        String env = environment.apply("GROQ_API_KEY");
        key = env == null || env.isBlank() ? null : ApiKeys.checked(env.strip(), "GROQ_API_KEY");
      }
      if (key == null && !loopback) {
        throw new IllegalStateException(
            "apiKey: no API key for " + baseUri.getHost() + "; set GROQ_API_KEY or call apiKey(..)");
      }
      if (httpClient != null && httpClient.followRedirects() != HttpClient.Redirect.NEVER) {
        throw new IllegalArgumentException(
            "httpClient: the client follows redirects (" + httpClient.followRedirects() + "), which could send "
                + "the Authorization header to another origin; build it with followRedirects(Redirect.NEVER): "
                + "the provider itself follows 307/308 redirects to the same origin");
      }
      if (httpClient != null && connectTimeout != null) {
        throw new IllegalStateException(
            "connectTimeout applies to the provider's own HttpClient; set it on the client passed to httpClient(..)");
      }
      if (httpClient != null && inlineDelivery != null) {
        throw new IllegalStateException(
            "inlineDelivery applies to the provider's own HttpClient; choose the executor of the client passed to "
                + "httpClient(..) instead (HttpClient.newBuilder().executor(Runnable::run) delivers inline)");
      }
      Duration connect = connectTimeout != null ? connectTimeout : Duration.ofSeconds(GroqDefaults.CONNECT_TIMEOUT_SECONDS);
      HttpClient client = httpClient != null ? httpClient : ownClient(connect, Boolean.TRUE.equals(inlineDelivery));
      String path = baseUri.getPath() == null ? "" : baseUri.getPath();
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      URI endpoint = baseUri.resolve(path + "/chat/completions");
      ObjectMapper mapper = JsonSupport.newMapper();
      GroqConfig config =
          new GroqConfig(
              endpoint,
              key,
              defaultModel,
              connect,
              firstTokenTimeout != null ? firstTokenTimeout : Duration.ofSeconds(GroqDefaults.FIRST_TOKEN_TIMEOUT_SECONDS),
              idleTimeout != null ? idleTimeout : Duration.ofSeconds(GroqDefaults.IDLE_TIMEOUT_SECONDS),
              maxRetries != null ? maxRetries : GroqDefaults.MAX_RETRIES,
              Boolean.TRUE.equals(retryOn498),
              maxRetryDelay != null ? maxRetryDelay : Duration.ofSeconds(GroqDefaults.MAX_RETRY_DELAY_SECONDS),
              client,
              headers,
              scheduler != null ? scheduler : StreamScheduler.system(),
              maxLineLength != null ? maxLineLength : GroqDefaults.MAX_LINE_LENGTH,
              onResponse,
              mapper,
              http,
              new GroqConfig.Limits(
                  maxEventBytes != null ? maxEventBytes : maxLineLength != null ? maxLineLength : GroqDefaults.MAX_LINE_LENGTH,
                  maxAnswerChars != null ? maxAnswerChars : GroqDefaults.MAX_ANSWER_CHARS,
                  maxToolArgumentChars != null ? maxToolArgumentChars : GroqDefaults.MAX_TOOL_ARGUMENT_CHARS),
              new StreamPermits(maxConcurrentStreams != null ? maxConcurrentStreams : Integer.MAX_VALUE),
              stallTimeout != null ? stallTimeout : DEFAULT_STALL_TIMEOUT,
              maxRequestsPerAnswer != null ? maxRequestsPerAnswer : DEFAULT_MAX_REQUESTS_PER_ANSWER,
              random != null ? random : new Random());
      return new GroqProvider(
          config,
          !Boolean.FALSE.equals(emitWaiting),
          recovery != null ? recovery : RecoveryPolicy.defaults(),
          listener);
    }

    private static HttpClient ownClient(Duration connect, boolean inline) {
      // inline: the client's I/O thread delivers; else a pool whose size does not grow with the load
      return HttpClient.newBuilder().connectTimeout(connect)
          .executor(inline ? Runnable::run : DeliveryExecutor.forProvider()).build();
    }

    private static void unset(@Nullable Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    private static int inRange(int value, int min, int max, String name) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + value);
      }
      return value;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }

  }
}
