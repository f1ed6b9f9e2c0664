package dev.llmstream.groq;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.RateLimitException;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.ToolCall;
import dev.llmstream.core.ToolDefinition;
import dev.llmstream.core.Usage;
import dev.llmstream.core.internal.retry.RetryModel;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The provider against the testkit's fake server, answering each request with the next queued script
 * (exact bytes): requests, events, HTTP errors and retries.
 */
class GroqProviderHttpTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration NEVER = Duration.ofHours(1);
  private static final Duration CLOCK_WAIT = Duration.ofSeconds(10);

  private final ConcurrentLinkedQueue<ResponseScript> scripts = new ConcurrentLinkedQueue<>();
  private FakeGroqServer server;
  private int taken;
  private VirtualScheduler clock;
  private final List<GroqResponseInfo> responses = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    // a request with no script queued gets a 500 whose message says so
    server = FakeGroqServer.builder().dispatcher(request -> {
      ResponseScript next = scripts.poll();
      return next != null ? next : error(500, "{\"error\":{\"message\":\"no script queued for this request\"}}");
    }).build().start();
    clock = new VirtualScheduler();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private GroqProvider.Builder builder() {
    return GroqProvider.builder()
        .baseUrl(server.baseUrl())
        .apiKey("gsk_secret_key_123")
        .defaultModel("llama-3.3-70b-versatile")
        .scheduler(clock)
        .firstTokenTimeout(NEVER)
        // these tests step the virtual clock from one retry timer to the next; the answer's stall timeout
        // (HardeningTest) must not be one of the timers they pick, nor the request's watchdog (armed at
        // sending for the shorter of the first-token and idle timeouts)
        .idleTimeout(NEVER)
        .stallTimeout(Duration.ofDays(1))
        .onResponse(responses::add);
  }

  /** An event-stream response whose body is exactly {@code body}. */
  private static ResponseScript sse(String body) {
    return ResponseScript.builder().rawBody(List.of(body.getBytes(StandardCharsets.UTF_8)))
        .header("x-request-id", "req_abc").build();
  }

  private static ResponseScript error(int status, String body, String... headers) {
    ResponseScript.Builder b = ResponseScript.builder().status(status).rawErrorBody(body).header("x-request-id", "req_err");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  /** The next request the server received (waits, bounded), in order. */
  private RecordedRequest takeRequest() {
    return server.awaitRequests(taken + 1, CLOCK_WAIT).get(taken++);
  }

  static String chunk(String delta, String finish) {
    return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":"
        + delta + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
  }

  static final String USAGE =
      "\"x_groq\":{\"id\":\"req_x\",\"usage\":{\"queue_time\":0.01,\"prompt_tokens\":5,\"prompt_time\":0.002,"
          + "\"completion_tokens\":3,\"completion_time\":0.004,\"total_tokens\":8,\"total_time\":0.006}}";

  static String groqFinish(String finish) {
    return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\""
        + finish + "\"}]," + USAGE + "}\n\n";
  }

  private TestSubscriber<StreamEvent> run(GroqProvider p, ChatRequest r) throws Exception {
    TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
    p.stream(r).subscribe(rec);
    return rec;
  }

  @Test
  void plainTextWithKeepAlivesAndTheRequestOnTheWire() throws Exception {
    scripts.add(sse(": keep-alive\n\n" + chunk("{\"role\":\"assistant\",\"content\":\"\"}", null)
        + ": ping\n\n" + chunk("{\"content\":\"Hel\"}", null) + chunk("{\"content\":\"lo\"}", null)
        + groqFinish("stop") + "data: [DONE]\n\n"));
    try (GroqProvider p = builder().build()) {
      TestSubscriber<StreamEvent> rec = run(p, ChatRequest.ofUser("Hi"));
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(rec.values())
          .containsExactly(
              new StreamEvent.Waiting("req_abc"),
              new StreamEvent.TextDelta("Hel"),
              new StreamEvent.TextDelta("lo"),
              new StreamEvent.Finish(FinishReason.STOP, "stop", ((StreamEvent.Finish) rec.values().get(3)).usage()));
      StreamEvent.Finish u = (StreamEvent.Finish) rec.values().get(3);
      assertThat(u.usage().totalTokens()).isEqualTo(8);
      assertThat(u.usage().timings().get("queue_time")).isEqualTo(Duration.ofMillis(10));
    }
    RecordedRequest req = takeRequest();
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.path()).isEqualTo("/openai/v1/chat/completions");
    assertThat(req.header("Authorization")).isEqualTo("Bearer gsk_secret_key_123");
    assertThat(req.header("Accept")).isEqualTo("text/event-stream");
    assertThat(req.header("Content-Type")).startsWith("application/json");
    JsonNode body = MAPPER.readTree(req.body());
    assertThat(body).isEqualTo(MAPPER.readTree(
        "{\"model\":\"llama-3.3-70b-versatile\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}"));
    assertThat(responses).hasSize(1);
    assertThat(responses.get(0).status()).isEqualTo(200);
    assertThat(responses.get(0).requestId()).isEqualTo("req_abc");
  }

  @Test
  void requestBodyMatchesGroqsDocumentedFields() throws Exception {
    scripts.add(sse(groqFinish("stop")));
    ChatRequest request =
        ChatRequest.of(List.of(ChatMessage.system("Be brief.")))
            .withModel("openai/gpt-oss-120b")
            .withMessage(ChatMessage.user("Weather?"))
            .withMessage(ChatMessage.assistantToolCalls(List.of(new ToolCall(0, "call_1", "weather", "{\"city\":\"Paris\"}"))))
            .withMessage(ChatMessage.tool("call_1", "{\"temp\":21}"))
            .withMessage(ChatMessage.assistant("It is 21 degrees."))
            .withTemperature(0.5)
            .withTopP(0.9)
            .withMaxTokens(256)
            .withStop(List.of("END"))
            .withSeed(42)
            .withTool(new ToolDefinition("weather", "Current weather", "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"))
            .withToolChoice("auto")
            .withResponseFormat("json_object")
            .withReasoningFormat("parsed")
            .withReasoningEffort("low")
            .withUser("user-7")
            .withExtra("service_tier", "flex")
            .withExtra("stream_options", Map.of("include_usage", true));
    try (GroqProvider p = builder().build()) {
      p.stream(request).collect().get(10, TimeUnit.SECONDS);
    }
    JsonNode body = MAPPER.readTree(takeRequest().body());
    assertThat(body).isEqualTo(MAPPER.readTree(
        "{\"model\":\"openai/gpt-oss-120b\",\"messages\":["
            + "{\"role\":\"system\",\"content\":\"Be brief.\"},"
            + "{\"role\":\"user\",\"content\":\"Weather?\"},"
            + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
            + "{\"role\":\"tool\",\"content\":\"{\\\"temp\\\":21}\",\"tool_call_id\":\"call_1\"},"
            + "{\"role\":\"assistant\",\"content\":\"It is 21 degrees.\"}],"
            + "\"stream\":true,\"temperature\":0.5,\"top_p\":0.9,\"max_completion_tokens\":256,\"stop\":[\"END\"],\"seed\":42,"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"description\":\"Current weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],"
            + "\"tool_choice\":\"auto\",\"response_format\":{\"type\":\"json_object\"},\"reasoning_format\":\"parsed\","
            + "\"reasoning_effort\":\"low\",\"user\":\"user-7\",\"service_tier\":\"flex\",\"stream_options\":{\"include_usage\":true}}"));
  }

  @Test
  void namedToolChoiceIsAnObject() throws Exception {
    scripts.add(sse(groqFinish("stop")));
    try (GroqProvider p = builder().build()) {
      p.stream(ChatRequest.ofUser("x")
          .withTool(new ToolDefinition("f", "", "{}")).withToolChoice("f")).collect().get(10, TimeUnit.SECONDS);
    }
    JsonNode body = MAPPER.readTree(takeRequest().body());
    assertThat(body.get("tool_choice")).isEqualTo(MAPPER.readTree("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}"));
  }

  @Test
  void reasoningThenText() throws Exception {
    scripts.add(sse(chunk("{\"role\":\"assistant\",\"channel\":\"analysis\",\"reasoning\":\"Think\"}", null)
        + chunk("{\"channel\":\"analysis\",\"reasoning\":\"ing.\"}", null)
        + chunk("{\"channel\":\"final\",\"content\":\"Done\"}", null) + groqFinish("stop") + "data: [DONE]\n\n"));
    try (GroqProvider p = builder().build()) {
      ChatResponse r = p.stream(ChatRequest.ofUser("x")).collect().get(10, TimeUnit.SECONDS);
      assertThat(r.reasoning()).isEqualTo("Thinking.");
      assertThat(r.text()).isEqualTo("Done");
    }
  }

  @Test
  void toolCallArgumentsInFragmentsAndATrailingUsageChunk() throws Exception {
    scripts.add(sse(
        chunk("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"get_capital\",\"arguments\":\"\"}}]}", null)
            + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"coun\"}}]}", null)
            + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"try\\\":\\\"UK\\\"}\"}}]}", null)
            + chunk("{\"tool_calls\":[{\"index\":1,\"id\":\"call_10\",\"function\":{\"name\":\"other\",\"arguments\":\"{}\"}}]}", null)
            + chunk("{}", "tool_calls")
            + "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":53,\"completion_tokens\":15,\"total_tokens\":68}}\n\n"
            + "data: [DONE]\n\n"));
    try (GroqProvider p = builder().build()) {
      TestSubscriber<StreamEvent> rec = run(p, ChatRequest.ofUser("x"));
      rec.awaitComplete(CLOCK_WAIT);
      // The finish was held for the trailing usage chunk: it carries that usage.
      assertThat(rec.values().get(rec.values().size() - 1))
          .isEqualTo(new StreamEvent.Finish(FinishReason.TOOL_CALLS, "tool_calls", Usage.of(53, 15, 68)));
    }
    scripts.add(sse(chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":\"}}]}", null)
        + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]}", null) + chunk("{}", "tool_calls")
        + "data: [DONE]\n\n"));
    try (GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").build()) {
      ChatResponse r = p.stream(ChatRequest.ofUser("x")).collect().get(10, TimeUnit.SECONDS);
      assertThat(r.toolCalls()).containsExactly(new ToolCall(0, "a", "f", "{\"x\":1}"));
      assertThat(r.usage()).isNull();
      assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }
  }

  @ParameterizedTest
  @CsvSource({"stop,STOP", "length,LENGTH", "tool_calls,TOOL_CALLS", "content_filter,CONTENT_FILTER", "weird,OTHER"})
  void finishReasons(String wire, FinishReason expected) throws Exception {
    scripts.add(sse(chunk("{\"content\":\"a\"}", null) + groqFinish(wire)));
    try (GroqProvider p = builder().build()) {
      TestSubscriber<StreamEvent> rec = run(p, ChatRequest.ofUser("x"));
      rec.awaitComplete(CLOCK_WAIT);
      StreamEvent.Finish finish = (StreamEvent.Finish) rec.values().get(rec.values().size() - 1);
      assertThat(finish.reason()).isEqualTo(expected);
      assertThat(finish.rawReason()).isEqualTo(wire);
      assertThat(finish.usage()).as("Groq sends usage with the finish").isNotNull();
    }
  }

  @Test
  void errorEventMidStreamFailsWithTypeCodeStatusAndPartial() throws Exception {
    scripts.add(sse(chunk("{\"reasoning\":\"hmm\"}", null) + chunk("{\"content\":\"may\"}", null)
        + "event: error\ndata: {\"error\":{\"message\":\"Tool choice is required\",\"type\":\"invalid_request_error\","
        + "\"code\":\"tool_use_failed\",\"status_code\":400}}\n\n"));
    try (GroqProvider p = builder().build()) {
      Throwable t = run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.UPSTREAM);
      StreamException e = (StreamException) t;
      assertThat(e.errorType()).isEqualTo("invalid_request_error");
      assertThat(e.errorCode()).isEqualTo("tool_use_failed");
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.requestId()).isEqualTo("req_abc");
      assertThat(e.partial().text()).isEqualTo("may");
      assertThat(e.partial().reasoning()).isEqualTo("hmm");
      assertThat(e.partial().finishReason()).isEqualTo(FinishReason.ERROR);
    }
    assertThat(server.requests().size()).isEqualTo(1); // a token had arrived: no retry
  }

  @Test
  void dataObjectWithErrorKeyCountsToo() throws Exception {
    scripts.add(sse(chunk("{\"content\":\"a\"}", null) + "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n"));
    try (GroqProvider p = builder().build()) {
      Throwable t = run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.UPSTREAM).hasMessageContaining("overloaded");
      assertThat(((StreamException) t).partial().text()).isEqualTo("a");
    }
  }

  @Test
  void malformedJsonIsAProtocolErrorHoldingThePartialAnswer() throws Exception {
    scripts.add(sse(chunk("{\"content\":\"partial\"}", null) + "data: {\"choices\":[{\"delta\":{\"content\":\"x\"\n\n"));
    try (GroqProvider p = builder().build()) {
      Throwable t = run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.PROTOCOL).hasMessageContaining("not valid JSON");
      assertThat(((StreamException) t).partial().text()).isEqualTo("partial");
      assertThat(((StreamException) t).status()).isEqualTo(200);
    }
  }

  @Test
  void tooLongLineFailsClearly() throws Exception {
    scripts.add(sse(chunk("{\"content\":\"a\"}", null) + "data: " + "x".repeat(5000) + "\n\n"));
    try (GroqProvider p = builder().maxLineLength(2048).build()) {
      Throwable t = run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.LIMIT_EXCEEDED).hasMessageContaining("maxLineLength (2048 bytes)");
      assertThat(((StreamException) t).partial().text()).isEqualTo("a");
    }
  }

  @Test
  void bodyEndingBeforeTheAnswerFinishedIsAConnectionError() throws Exception {
    scripts.add(sse(chunk("{\"content\":\"cut\"}", null)));
    // the error one attempt reports; recovery from it is tested in dev.llmstream.groq.recovery
    try (GroqProvider p = builder().recovery(RecoveryPolicy.disabled()).build()) {
      Throwable t = run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CONNECTION).hasMessageContaining("before the answer finished");
      assertThat(((StreamException) t).partial().text()).isEqualTo("cut");
    }
  }

  @Test
  void nonEventStreamResponseIsAProtocolError() throws Exception {
    scripts.add(ResponseScript.builder().rawBody(List.of("{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
        .header("content-type", "application/json").build());
    try (GroqProvider p = builder().maxRetries(0).build()) {
      Throwable t = run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.PROTOCOL).hasMessageContaining("application/json");
    }
  }

  // ------------------------------------------------------------------ HTTP errors and retries

  private Throwable failAfterRetries(GroqProvider p, int expectedRetries) throws Exception {
    TestSubscriber<StreamEvent> rec = run(p, ChatRequest.ofUser("x"));
    for (int i = 0; i < expectedRetries; i++) {
      Duration d = clock.awaitPendingBelow(NEVER, CLOCK_WAIT);
      clock.advance(d);
    }
    return rec.awaitError(CLOCK_WAIT);
  }

  @ParameterizedTest
  @CsvSource({
    "400,BAD_REQUEST,0", "401,AUTHENTICATION,0", "403,AUTHENTICATION,0", "404,BAD_REQUEST,0", "413,BAD_REQUEST,0",
    "422,BAD_REQUEST,0", "498,CAPACITY,0", "408,CONNECTION,2", "409,SERVER,2", "429,RATE_LIMITED,2", "500,SERVER,2",
    "502,SERVER,2", "503,CAPACITY,2", "504,SERVER,2"
  })
  void httpErrorStatuses(int status, ErrorKind kind, int retries) throws Exception {
    for (int i = 0; i <= retries; i++) {
      scripts.add(error(status, "{\"error\":{\"message\":\"server says " + status + "\",\"type\":\"t\"}}"));
    }
    try (GroqProvider p = builder().build()) {
      Throwable t = failAfterRetries(p, retries);
      assertThat(t).isInstanceOf(StreamException.class);
      StreamException e = (StreamException) t;
      assertThat(e.kind()).isEqualTo(kind);
      assertThat(e.status()).isEqualTo(status);
      assertThat(e.requestId()).isEqualTo("req_err");
      assertThat(e.getMessage()).contains("server says " + status).doesNotContain("gsk_secret_key_123");
      assertThat(e.toString()).doesNotContain("gsk_secret_key_123");
      assertThat(e.partial().text()).isEmpty();
    }
    assertThat(server.requests().size()).isEqualTo(retries + 1);
    assertThat(responses).hasSize(retries + 1);
    assertThat(responses.get(responses.size() - 1).attempt()).isEqualTo(retries + 1);
  }

  @Test
  void typesAreTheOnesUsersCatch() throws Exception {
    scripts.add(error(401, "{\"error\":{\"message\":\"Invalid API Key\"}}"));
    scripts.add(error(413, "{\"error\":{\"message\":\"Request too large\"}}"));
    scripts.add(error(498, "{\"error\":{\"message\":\"flex capacity\"}}"));
    try (GroqProvider p = builder().build()) {
      assertThat(run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT)).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.AUTHENTICATION)
          .hasMessageContaining("GROQ_API_KEY");
      assertThat(run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT)).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.BAD_REQUEST);
      assertThat(run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT)).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CAPACITY);
    }
  }

  @Test
  void retryBackoffIsDrawnFromTheInjectedRandom() throws Exception {
    scripts.add(error(500, "{\"error\":{\"message\":\"boom\"}}"));
    scripts.add(error(502, "{\"error\":{\"message\":\"bad gateway\"}}")); // no retry-after (a 503 gets one)
    scripts.add(sse(chunk("{\"content\":\"ok\"}", null) + groqFinish("stop")));
    RetryModel.Backoff curve = new RetryModel.Backoff(Duration.ofMillis(GroqDefaults.RETRY_INITIAL_BACKOFF_MILLIS),
        Duration.ofMillis(GroqDefaults.RETRY_MAX_BACKOFF_MILLIS), GroqDefaults.RETRY_JITTER, false);
    Random expected = new Random(42);
    try (GroqProvider p = builder().random(new Random(42)).build()) {
      TestSubscriber<StreamEvent> rec = run(p, ChatRequest.ofUser("x"));
      for (int retry = 1; retry <= 2; retry++) {
        Duration delay = clock.awaitPendingBelow(NEVER, CLOCK_WAIT);
        assertThat(delay).as("retry %d", retry).isEqualTo(RetryModel.delay(curve, retry, expected));
        clock.advance(delay.minusNanos(1));
        assertThat(server.requests()).hasSize(retry);
        clock.advance(Duration.ofNanos(1));
      }
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(rec.values()).contains(new StreamEvent.TextDelta("ok"));
      assertThat(server.requests()).hasSize(3);
    }
  }

  @Test
  void retryAfterIsHonouredAndRateLimitHeadersParsed() throws Exception {
    String[] rl = {"retry-after", "3", "x-ratelimit-limit-requests", "14400", "x-ratelimit-remaining-requests", "0",
        "x-ratelimit-reset-requests", "2m59.56s", "x-ratelimit-limit-tokens", "6000", "x-ratelimit-remaining-tokens", "12",
        "x-ratelimit-reset-tokens", "400ms"};
    scripts.add(error(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"tokens\",\"code\":\"rate_limit_exceeded\"}}", rl));
    scripts.add(error(429, "{\"error\":{\"message\":\"Rate limit reached\"}}", "retry-after-ms", "1250"));
    scripts.add(sse(chunk("{\"content\":\"ok\"}", null) + groqFinish("stop")));
    try (GroqProvider p = builder().build()) {
      TestSubscriber<StreamEvent> rec = run(p, ChatRequest.ofUser("x"));
      assertThat(clock.awaitPendingBelow(NEVER, CLOCK_WAIT)).isEqualTo(Duration.ofSeconds(3));
      clock.advance(Duration.ofMillis(2999));
      assertThat(server.requests().size()).isEqualTo(1);
      clock.advance(Duration.ofMillis(1));
      Duration second = clock.awaitPendingBelow(NEVER, CLOCK_WAIT);
      assertThat(second).isEqualTo(Duration.ofMillis(1250)); // larger than the 1 s backoff (with jitter <= 1 s)
      clock.advance(second);
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(rec.values()).contains(new StreamEvent.TextDelta("ok"));
    }
    assertThat(server.requests().size()).isEqualTo(3);
    GroqResponseInfo first = responses.get(0);
    assertThat(first.status()).isEqualTo(429);
    assertThat(first.rateLimit().limitRequests()).isEqualTo(14400L);
    assertThat(first.rateLimit().remainingTokens()).isEqualTo(12L);
    assertThat(first.rateLimit().resetRequests()).isEqualTo(Duration.ofMillis(179_560));
    assertThat(first.rateLimit().resetTokens()).isEqualTo(Duration.ofMillis(400));
    assertThat(first.rateLimit().retryAfter()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void rateLimitErrorCarriesTheSnapshotWhenRetriesRunOut() throws Exception {
    scripts.add(error(429, "{\"error\":{\"message\":\"slow down\"}}", "retry-after", "120",
        "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "1m"));
    try (GroqProvider p = builder().build()) {
      Throwable t = run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(RateLimitException.class);
      GroqRateLimitException e = (GroqRateLimitException) t;
      assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(120));
      assertThat(e.rateLimit().remainingRequests()).isZero();
      assertThat(e.rateLimit().resetRequests()).isEqualTo(Duration.ofMinutes(1));
    }
    assertThat(server.requests().size()).as("a wait above maxRetryDelay is not retried").isEqualTo(1);
  }

  @Test
  void xShouldRetryDecides() throws Exception {
    scripts.add(error(500, "{}", "x-should-retry", "false"));
    try (GroqProvider p = builder().build()) {
      assertThat(run(p, ChatRequest.ofUser("x")).awaitError(CLOCK_WAIT)).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.SERVER);
    }
    assertThat(server.requests().size()).isEqualTo(1);
    scripts.add(error(400, "{}", "x-should-retry", "true"));
    scripts.add(sse(groqFinish("stop")));
    try (GroqProvider p = builder().build()) {
      TestSubscriber<StreamEvent> rec = run(p, ChatRequest.ofUser("x"));
      clock.advance(clock.awaitPendingBelow(NEVER, CLOCK_WAIT));
      rec.awaitComplete(CLOCK_WAIT);
    }
    assertThat(server.requests().size()).isEqualTo(3);
  }

  @Test
  void retryOn498WhenConfigured() throws Exception {
    scripts.add(error(498, "{\"error\":{\"message\":\"flex\"}}"));
    scripts.add(sse(groqFinish("stop")));
    try (GroqProvider p = builder().retryOn498(true).build()) {
      TestSubscriber<StreamEvent> rec = run(p, ChatRequest.ofUser("x"));
      clock.advance(clock.awaitPendingBelow(NEVER, CLOCK_WAIT));
      rec.awaitComplete(CLOCK_WAIT);
    }
    assertThat(server.requests().size()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void maxRetriesIsRespected(int maxRetries) throws Exception {
    for (int i = 0; i < 3; i++) {
      scripts.add(error(503, "{}"));
    }
    try (GroqProvider p = builder().maxRetries(maxRetries).build()) {
      assertThat(failAfterRetries(p, maxRetries)).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CAPACITY);
    }
    assertThat(server.requests().size()).isEqualTo(maxRetries + 1);
  }

  @Test
  void cancelDuringBackoffSendsNothingMore() throws Exception {
    scripts.add(error(500, "{}"));
    scripts.add(sse(groqFinish("stop")));
    try (GroqProvider p = builder().build()) {
      dev.llmstream.core.CancellationToken token = dev.llmstream.core.CancellationToken.create();
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      p.stream(ChatRequest.ofUser("x"), token).subscribe(rec);
      Duration d = clock.awaitPendingBelow(NEVER, CLOCK_WAIT);
      token.cancel();
      rec.awaitComplete(CLOCK_WAIT);
      clock.advance(d.multipliedBy(10));
      assertThat(rec.values().get(rec.values().size() - 1)).isEqualTo(StreamEvent.Finish.of(FinishReason.CANCELLED));
      assertThat(clock.pendingTasks()).as("timers released").isZero();
    }
    assertThat(server.requests().size()).isEqualTo(1);
  }

  @Test
  void connectionRefusedIsRetriedThenAConnectionError() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (GroqProvider p = GroqProvider.builder().baseUrl("http://127.0.0.1:" + port + "/v1").defaultModel("m")
        .scheduler(clock).firstTokenTimeout(NEVER).idleTimeout(NEVER).stallTimeout(Duration.ofDays(1)).build()) {
      Throwable t = failAfterRetries(p, 2);
      assertThat(t).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CONNECTION).hasMessageContaining("127.0.0.1:" + port);
    }
  }

  @Test
  void noModelAnywhereIsAClearError() {
    try (GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).build()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.stream(ChatRequest.ofUser("x")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultModel");
    }
  }

  @Test
  void invalidToolSchemaIsRejectedBeforeSending() {
    try (GroqProvider p = builder().build()) {
      ChatRequest r = ChatRequest.ofUser("x")
          .withTool(new ToolDefinition("f", "", "{not json}"));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.stream(r))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tool 'f'");
    }
    assertThat(server.requests().size()).isZero();
  }

  @Test
  void futureFailureUnwrapsToTheTypedError() throws Exception {
    scripts.add(error(404, "{\"error\":{\"message\":\"The model `x` does not exist\",\"code\":\"model_not_found\"}}"));
    try (GroqProvider p = builder().build()) {
      try {
        p.stream(ChatRequest.ofUser("x")).collect().get(10, TimeUnit.SECONDS);
        throw new AssertionError("expected failure");
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.BAD_REQUEST).hasMessageContaining("does not exist");
      }
    }
  }
}
