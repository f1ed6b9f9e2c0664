package dev.llmstream.groq;

import static dev.llmstream.groq.Wire.finishChunk;
import static dev.llmstream.groq.Wire.textChunk;
import static dev.llmstream.groq.Wire.utf8;
import static dev.llmstream.groq.Wire.writeThenStall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: what a hostile or sloppy upstream used to break, each case over real HTTP (the byte-level
 * the testkit's fake server, exact bytes where they matter): a leading BOM, compressed bodies, a server that
 * does not stream, redirects, answers that never end (on a virtual clock, default settings), and restarted
 * continuations.
 */
class HardeningTest {
  private static final String ANSWER = "Hello there, this is the whole answer.";

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static GroqProvider.Builder builder(FakeGroqServer server) {
    return GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").apiKey("gsk_hardening_key");
  }

  private static FakeGroqServer serve(ResponseScript script) {
    return FakeGroqServer.builder().always(script).build().start();
  }

  /** A fake whose every response is due in an hour (real time): it never answers, not even headers. */
  private static FakeGroqServer neverAnswers() {
    return serve(ResponseScript.builder().slowHeaders(Duration.ofHours(1)).build());
  }

  private static TestSubscriber<StreamEvent> run(GroqProvider p) {
    TestSubscriber<StreamEvent> rec = TestSubscriber.create();
    p.stream(ChatRequest.ofUser("x")).subscribe(rec);
    return rec;
  }

  private static String text(TestSubscriber<StreamEvent> rec) {
    StringBuilder sb = new StringBuilder();
    for (StreamEvent e : rec.values()) {
      if (e instanceof StreamEvent.TextDelta t) {
        sb.append(t.text());
      } else if (e instanceof StreamEvent.Replaced r) {
        sb.setLength(0);
        sb.append(r.text());
      }
    }
    return sb.toString();
  }

  private static String sse() {
    return textChunk("Hello") + textChunk(", world") + GroqProviderHttpTest.groqFinish("stop");
  }

  /** A 200 with {@code contentType} (and {@code encoding}, if not null) whose body goes in 7-byte writes. */
  private static ResponseScript respond(String contentType, String encoding, byte[] body) {
    List<byte[]> writes = new ArrayList<>();
    for (int i = 0; i < body.length; i += 7) {
      writes.add(java.util.Arrays.copyOfRange(body, i, Math.min(body.length, i + 7)));
    }
    ResponseScript.Builder b = ResponseScript.builder().rawBody(writes).header("content-type", contentType);
    if (encoding != null) {
      b.header("content-encoding", encoding);
    }
    return b.build();
  }

  // ------------------------------------------------------------------ BOM

  @Test
  void aLeadingByteOrderMarkKeepsTheFirstEvent() throws Exception {
    try (FakeGroqServer server = serve(Wire.writes(List.of(
            new byte[] {(byte) 0xEF, (byte) 0xBB}, // the BOM split across reads
            new byte[] {(byte) 0xBF},
            utf8(sse()))));
        GroqProvider p = builder(server).build()) {
      TestSubscriber<StreamEvent> rec = run(p);
      rec.awaitComplete(WAIT);
      assertThat(text(rec)).isEqualTo("Hello, world");
    }
  }

  // ------------------------------------------------------------------ compressed bodies

  @Test
  void gzipAndDeflateBodiesAreDecodedAsTheyStream() throws Exception {
    byte[] plain = sse().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
      o.write(plain);
    }
    ByteArrayOutputStream zlib = new ByteArrayOutputStream();
    try (DeflaterOutputStream o = new DeflaterOutputStream(zlib)) {
      o.write(plain);
    }
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try (DeflaterOutputStream o = new DeflaterOutputStream(raw, new Deflater(Deflater.DEFAULT_COMPRESSION, true))) {
      o.write(plain);
    }
    Object[][] cases = {{"gzip", gz.toByteArray()}, {"deflate", zlib.toByteArray()}, {"deflate", raw.toByteArray()}};
    for (Object[] c : cases) {
      try (FakeGroqServer server = serve(respond("text/event-stream", (String) c[0], (byte[]) c[1]));
          GroqProvider p = builder(server).build()) {
        TestSubscriber<StreamEvent> rec = run(p);
        rec.awaitComplete(WAIT);
        assertThat(text(rec)).as("%s", c[0]).isEqualTo("Hello, world");
      }
    }
  }

  @Test
  void anUnsupportedEncodingIsAProtocolErrorNamingItAndNotRetried() throws Exception {
    try (FakeGroqServer server = serve(respond("text/event-stream", "br", new byte[] {1, 2, 3, 4}));
        GroqProvider p = builder(server).build()) {
      Throwable t = run(p).awaitError(WAIT);
      assertThat(((StreamException) t).kind()).isEqualTo(ErrorKind.PROTOCOL);
      assertThat(t).hasMessageContaining("'br'");
      assertThat(server.requests()).hasSize(1);
    }
  }

  @Test
  void aCorruptGzipBodyIsAProtocolError() throws Exception {
    try (FakeGroqServer server = serve(respond("text/event-stream", "gzip", utf8(sse())));
        GroqProvider p = builder(server).build()) {
      Throwable t = run(p).awaitError(WAIT);
      assertThat(((StreamException) t).kind()).isEqualTo(ErrorKind.PROTOCOL);
      assertThat(t).hasMessageContaining("gzip");
    }
  }

  // ------------------------------------------------------------------ a server that does not stream

  @Test
  void aCompleteChatCompletionIsDeliveredAsAOneChunkAnswer() throws Exception {
    String body = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"" + ANSWER + "\",\"tool_calls\":[{\"id\":\"call_1\","
        + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":7,\"total_tokens\":10}}";
    try (FakeGroqServer server = serve(respond("application/json", null, utf8(body)));
        GroqProvider p = builder(server).build()) {
      CapturingLogs.start();
      TestSubscriber<StreamEvent> rec = run(p);
      rec.awaitComplete(WAIT);
      List<String> logs = CapturingLogs.stop();
      assertThat(logs).as("a log line says the server did not stream").anyMatch(l -> l.contains("did not stream"));
      assertThat(text(rec)).isEqualTo(ANSWER);
      List<StreamEvent> events = rec.values();
      assertThat(events).anyMatch(e -> e instanceof StreamEvent.ToolCallDelta d && d.name().equals("f"));
      assertThat(events).anyMatch(e -> e instanceof StreamEvent.Finish f && f.usage() != null && f.usage().totalTokens() == 10);
      assertThat(events.get(events.size() - 1)).isInstanceOf(StreamEvent.Finish.class);
    }
  }

  // ------------------------------------------------------------------ redirects

  @Test
  void a307ToTheSameOriginIsFollowedWithTheSameBodyAndKey() throws Exception {
    // the fake answers the same chat endpoint under /openai/v1 and /v1: the redirect moves between them
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(r -> r.path().startsWith("/openai/")
            ? ResponseScript.builder().status(307).header("location", "/v1/chat/completions").build()
            : Wire.writes(List.of(utf8(sse())))).build().start();
        GroqProvider p = builder(server).build()) {
      TestSubscriber<StreamEvent> rec = run(p);
      rec.awaitComplete(WAIT);
      assertThat(text(rec)).isEqualTo("Hello, world");
      List<RecordedRequest> requests = server.requests();
      assertThat(requests).hasSize(2);
      assertThat(requests.get(1).method()).isEqualTo("POST");
      assertThat(requests.get(1).path()).isEqualTo("/v1/chat/completions");
      assertThat(requests.get(1).header("authorization")).isEqualTo("Bearer gsk_hardening_key");
      assertThat(requests.get(1).body()).isEqualTo(requests.get(0).body());
    }
  }

  @Test
  void otherRedirectsFailNamingTheLocationAndNeverReachAnotherOrigin() throws Exception {
    try (FakeGroqServer other = FakeGroqServer.builder().build().start()) {
      String otherOrigin = other.baseUrl() + "/chat/completions";
      for (String status : List.of("308 Permanent Redirect|" + otherOrigin, "301 Moved|/v2/chat/completions",
          "302 Found|/v2/chat/completions", "303 See Other|/v2/chat/completions")) {
        String[] parts = status.split("\\|");
        int code = Integer.parseInt(parts[0].substring(0, 3));
        try (FakeGroqServer server = serve(ResponseScript.builder().status(code).header("location", parts[1]).build());
            GroqProvider p = builder(server).build()) {
          Throwable t = run(p).awaitError(WAIT);
          assertThat(((StreamException) t).kind()).as(parts[0]).isEqualTo(ErrorKind.BAD_REQUEST);
          assertThat(t).hasMessageContaining(parts[1]).hasMessageNotContaining("gsk_hardening_key");
        }
      }
      assertThat(other.requests()).as("nothing was sent to the other origin").isEmpty();
    }
  }

  // ------------------------------------------------------------------ answers that end (virtual clock, defaults)

  /** Advances the virtual clock in steps until the stream ends; returns the virtual time it took. */
  private static Duration advanceUntilDone(VirtualScheduler clock, TestSubscriber<StreamEvent> rec, Duration step)
      throws Exception {
    long start = clock.nanoTime();
    for (int i = 0; i < 400 && !rec.whenTerminated().isDone(); i++) {
      clock.advance(step);
      try {
        rec.whenTerminated().get(20, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        // not yet, or failed: the caller looks
      }
    }
    assertThat(rec.whenTerminated()).as("ended within 400 steps of virtual time").isDone();
    return Duration.ofNanos(clock.nanoTime() - start);
  }

  @Test
  void aServerThatNeverAnswersFailsAsATimeoutWithinTwoMinutesWithDefaults() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = neverAnswers();
        GroqProvider p = builder(server).scheduler(clock).build()) {
      TestSubscriber<StreamEvent> rec = run(p);
      Duration took = advanceUntilDone(clock, rec, Duration.ofSeconds(1));
      Throwable t = rec.awaitError(WAIT);
      assertThat(((StreamException) t).kind()).isEqualTo(ErrorKind.TIMEOUT);
      assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(121));
      assertThat(server.requests().size()).isBetween(1, 2);
    }
  }

  @Test
  void headersThenSilenceFailsAfterTheFirstTokenTimeoutWithOneRequest() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = serve(writeThenStall(": keep-alive\n\n"));
        GroqProvider p = builder(server).scheduler(clock).build()) {
      TestSubscriber<StreamEvent> rec = run(p);
      awaitWaiting(rec);
      Duration took = advanceUntilDone(clock, rec, Duration.ofSeconds(1));
      assertThat(((StreamException) rec.awaitError(WAIT)).kind()).isEqualTo(ErrorKind.TIMEOUT);
      assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(61));
      assertThat(server.requests()).hasSize(1);
    }
  }

  @Test
  void aFinishWithoutUsageThenOnlyCommentsCompletesWithinTheGrace() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = serve(commentsUntilClosed(textChunk("Done.") + finishChunk("stop")));
        GroqProvider p = builder(server).scheduler(clock).build()) {
      TestSubscriber<StreamEvent> rec = run(p);
      awaitText(rec);
      Duration took = advanceUntilDone(clock, rec, Duration.ofMillis(250));
      rec.awaitComplete(WAIT);
      assertThat(text(rec)).isEqualTo("Done.");
      assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(3));
    }
  }

  @Test
  void commentsAfterSomeTextAreNotProgress() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    // every request restarts the answer, then only comments
    try (FakeGroqServer server = serve(commentsUntilClosed(textChunk("Hello")));
        GroqProvider p = builder(server).scheduler(clock).build()) {
      TestSubscriber<StreamEvent> rec = run(p);
      awaitText(rec);
      advanceUntilDone(clock, rec, Duration.ofSeconds(1));
      Throwable t = rec.awaitError(WAIT);
      assertThat(((StreamException) t).kind()).isIn(ErrorKind.TIMEOUT, ErrorKind.LIMIT_EXCEEDED);
      assertThat(((StreamException) t).partial().text()).isEqualTo("Hello"); // shown once, not per restart
      assertThat(text(rec)).isEqualTo("Hello");
      assertThat(server.requests().size()).isBetween(2, GroqProvider.DEFAULT_MAX_REQUESTS_PER_ANSWER);
    }
  }

  /** {@code body} in one write, then keep-alive comments (5 ms apart, real time) until the client closes. */
  private static ResponseScript commentsUntilClosed(String body) {
    return ResponseScript.builder().rawBody(List.of(utf8(body))).commentsAfter(1, Duration.ofMillis(5)).build();
  }

  private static void awaitWaiting(TestSubscriber<StreamEvent> rec) {
    rec.awaitCount(1, WAIT); // Waiting: the headers arrived
  }

  private static void awaitText(TestSubscriber<StreamEvent> rec) {
    rec.awaitCount(2, WAIT); // Waiting, then the first text
  }

  // ------------------------------------------------------------------ restarted continuations, request cap

  @Test
  void aContinuationThatRestartsTheAnswerIsDeDuplicatedUnderContinue() throws Exception {
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(ANSWER).disconnectAfter(4).build())
            .always(ResponseScript.text(ANSWER)) // ignores the prefill: the whole answer again
            .build().start();
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").build()) {
      TestSubscriber<StreamEvent> rec = run(p);
      rec.awaitComplete(WAIT);
      assertThat(text(rec)).isEqualTo(ANSWER);
      List<RecordedRequest> requests = server.requests();
      assertThat(requests).hasSize(2);
      assertThat(requests.get(1).assistantPrefill()).isNotEmpty();
    }
  }

  @Test
  void aRealContinuationStillFollowsThePrefill() throws Exception {
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(ANSWER).disconnectAfter(4).build())
            .dispatcher(r -> ResponseScript.continuing(ANSWER, r))
            .build().start();
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").build()) {
      TestSubscriber<StreamEvent> rec = run(p);
      rec.awaitComplete(WAIT);
      assertThat(text(rec)).isEqualTo(ANSWER);
    }
  }

  @Test
  void aServerThatNeverFinishesCostsAtMostTheRequestCap() throws Exception {
    // honours the prefill but never sends a finish: each continuation is empty and ends without one
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(ANSWER).disconnectAfter(4).build())
            .dispatcher(r -> ResponseScript.builder().text(" more").disconnectAfter(0).build())
            .build().start();
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").build()) {
      TestSubscriber<StreamEvent> rec = run(p);
      Throwable t = rec.awaitError(WAIT);
      assertThat(server.requests()).hasSize(GroqProvider.DEFAULT_MAX_REQUESTS_PER_ANSWER);
      assertThat(((StreamException) t).kind()).isEqualTo(ErrorKind.LIMIT_EXCEEDED);
      assertThat(t).hasMessageContaining("maxRequestsPerAnswer");
      assertThat(ANSWER).startsWith(((StreamException) t).partial().text());
    }
  }

}
