package dev.llmstream.groq;

import static dev.llmstream.groq.ScriptedServer.finishChunk;
import static dev.llmstream.groq.ScriptedServer.textChunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: what a hostile or sloppy upstream used to break, each case over real HTTP (the byte-level
 * {@link ScriptedServer} or the testkit's fake server): a leading BOM, compressed bodies, a server that
 * does not stream, redirects, answers that never end (on a virtual clock, default settings), and restarted
 * continuations.
 */
class HardeningTest {
  private static final String ANSWER = "Hello there, this is the whole answer.";

  private static GroqProvider.Builder builder(ScriptedServer server) {
    return GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").apiKey("gsk_hardening_key");
  }

  private static Recorder run(GroqProvider p) {
    Recorder rec = new Recorder();
    p.stream(ChatRequest.ofUser("x")).subscribe(rec);
    return rec;
  }

  private static String text(Recorder rec) {
    StringBuilder sb = new StringBuilder();
    for (StreamEvent e : rec.events) {
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

  /** Writes a response head and then the body in small pieces, as chunked transfer encoding. */
  private static void respond(ScriptedServer.Exchange x, String head, byte[] body) throws Exception {
    x.out.write(("HTTP/1.1 200 OK\r\n" + head + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    for (int i = 0; i < body.length; i += 7) {
      x.chunk(java.util.Arrays.copyOfRange(body, i, Math.min(body.length, i + 7)));
    }
    x.end();
  }

  // ------------------------------------------------------------------ BOM

  @Test
  void aLeadingByteOrderMarkKeepsTheFirstEvent() throws Exception {
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          x.chunk(new byte[] {(byte) 0xEF, (byte) 0xBB}); // the BOM split across reads
          x.chunk(new byte[] {(byte) 0xBF});
          x.chunk(sse());
          x.end();
        });
        GroqProvider p = builder(server).build()) {
      Recorder rec = run(p);
      rec.awaitComplete();
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
      try (ScriptedServer server = new ScriptedServer(x ->
              respond(x, "Content-Type: text/event-stream\r\nContent-Encoding: " + c[0] + "\r\n", (byte[]) c[1]));
          GroqProvider p = builder(server).build()) {
        Recorder rec = run(p);
        rec.awaitComplete();
        assertThat(text(rec)).as("%s", c[0]).isEqualTo("Hello, world");
      }
    }
  }

  @Test
  void anUnsupportedEncodingIsAProtocolErrorNamingItAndNotRetried() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    try (ScriptedServer server = new ScriptedServer(x -> {
          requests.incrementAndGet();
          respond(x, "Content-Type: text/event-stream\r\nContent-Encoding: br\r\n", new byte[] {1, 2, 3, 4});
        });
        GroqProvider p = builder(server).build()) {
      Throwable t = run(p).awaitError();
      assertThat(((StreamException) t).kind()).isEqualTo(ErrorKind.PROTOCOL);
      assertThat(t).hasMessageContaining("'br'");
      assertThat(requests.get()).isEqualTo(1);
    }
  }

  @Test
  void aCorruptGzipBodyIsAProtocolError() throws Exception {
    try (ScriptedServer server = new ScriptedServer(x ->
            respond(x, "Content-Type: text/event-stream\r\nContent-Encoding: gzip\r\n", sse().getBytes(StandardCharsets.UTF_8)));
        GroqProvider p = builder(server).build()) {
      Throwable t = run(p).awaitError();
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
    try (ScriptedServer server = new ScriptedServer(x ->
            respond(x, "Content-Type: application/json\r\n", body.getBytes(StandardCharsets.UTF_8)));
        GroqProvider p = builder(server).build()) {
      CapturingLogs.start();
      Recorder rec = run(p);
      rec.awaitComplete();
      List<String> logs = CapturingLogs.stop();
      assertThat(logs).as("a log line says the server did not stream").anyMatch(l -> l.contains("did not stream"));
      assertThat(text(rec)).isEqualTo(ANSWER);
      assertThat(rec.events).anyMatch(e -> e instanceof StreamEvent.ToolCallDelta d && d.name().equals("f"));
      assertThat(rec.events).anyMatch(e -> e instanceof StreamEvent.UsageUpdate u && u.usage().totalTokens() == 10);
      assertThat(rec.events.get(rec.events.size() - 1)).isInstanceOf(StreamEvent.Finish.class);
    }
  }

  // ------------------------------------------------------------------ redirects

  @Test
  void a307ToTheSameOriginIsFollowedWithTheSameBodyAndKey() throws Exception {
    List<String> heads = new CopyOnWriteArrayList<>();
    List<String> bodies = new CopyOnWriteArrayList<>();
    try (ScriptedServer server = new ScriptedServer(x -> {
          heads.add(x.requestHead);
          bodies.add(x.requestBody);
          if (x.requestHead.startsWith("POST /v1/")) {
            x.out.write("HTTP/1.1 307 Temporary Redirect\r\nLocation: /v2/chat/completions\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
            x.out.flush();
          } else {
            x.startSse();
            x.chunk(sse());
            x.end();
          }
        });
        GroqProvider p = builder(server).build()) {
      Recorder rec = run(p);
      rec.awaitComplete();
      assertThat(text(rec)).isEqualTo("Hello, world");
      assertThat(heads).hasSize(2);
      assertThat(heads.get(1)).startsWith("POST /v2/chat/completions").contains("Bearer gsk_hardening_key");
      assertThat(bodies.get(1)).isEqualTo(bodies.get(0));
    }
  }

  @Test
  void otherRedirectsFailNamingTheLocationAndNeverReachAnotherOrigin() throws Exception {
    AtomicInteger elsewhere = new AtomicInteger();
    try (ScriptedServer other = new ScriptedServer(x -> elsewhere.incrementAndGet())) {
      String otherOrigin = other.baseUrl().replace("/v1", "") + "/v1/chat/completions";
      for (String status : List.of("308 Permanent Redirect|" + otherOrigin, "301 Moved|/v2/chat/completions",
          "302 Found|/v2/chat/completions", "303 See Other|/v2/chat/completions")) {
        String[] parts = status.split("\\|");
        try (ScriptedServer server = new ScriptedServer(x -> {
              x.out.write(("HTTP/1.1 " + parts[0] + "\r\nLocation: " + parts[1] + "\r\nContent-Length: 0\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
              x.out.flush();
            });
            GroqProvider p = builder(server).build()) {
          Throwable t = run(p).awaitError();
          assertThat(((StreamException) t).kind()).as(parts[0]).isEqualTo(ErrorKind.BAD_REQUEST);
          assertThat(t).hasMessageContaining(parts[1]).hasMessageNotContaining("gsk_hardening_key");
        }
      }
      assertThat(elsewhere.get()).as("nothing was sent to the other origin").isZero();
    }
  }

  // ------------------------------------------------------------------ answers that end (virtual clock, defaults)

  /** Advances the virtual clock in steps until the stream ends; returns the virtual time it took. */
  private static Duration advanceUntilDone(VirtualScheduler clock, Recorder rec, Duration step) throws Exception {
    long start = clock.nanoTime();
    for (int i = 0; i < 400 && !rec.done.isDone(); i++) {
      clock.advance(step);
      try {
        rec.done.get(20, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        // not yet, or failed: the caller looks
      }
    }
    assertThat(rec.done).as("ended within 400 steps of virtual time").isDone();
    return Duration.ofNanos(clock.nanoTime() - start);
  }

  @Test
  void aServerThatNeverAnswersFailsAsATimeoutWithinTwoMinutesWithDefaults() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    AtomicInteger requests = new AtomicInteger();
    try (ScriptedServer server = new ScriptedServer(x -> {
          requests.incrementAndGet();
          x.awaitClientClose(); // not even headers
        });
        GroqProvider p = builder(server).scheduler(clock).build()) {
      Recorder rec = run(p);
      Duration took = advanceUntilDone(clock, rec, Duration.ofSeconds(1));
      Throwable t = rec.awaitError();
      assertThat(((StreamException) t).kind()).isEqualTo(ErrorKind.TIMEOUT);
      assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(121));
      assertThat(requests.get()).isBetween(1, 2);
    }
  }

  @Test
  void headersThenSilenceFailsAfterTheFirstTokenTimeoutWithOneRequest() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    AtomicInteger requests = new AtomicInteger();
    try (ScriptedServer server = new ScriptedServer(x -> {
          requests.incrementAndGet();
          x.startSse();
          x.chunkThenAwaitClientClose(": keep-alive\n\n");
        });
        GroqProvider p = builder(server).scheduler(clock).build()) {
      Recorder rec = run(p);
      awaitWaiting(rec);
      Duration took = advanceUntilDone(clock, rec, Duration.ofSeconds(1));
      assertThat(((StreamException) rec.awaitError()).kind()).isEqualTo(ErrorKind.TIMEOUT);
      assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(61));
      assertThat(requests.get()).isEqualTo(1);
    }
  }

  @Test
  void aFinishWithoutUsageThenOnlyCommentsCompletesWithinTheGrace() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          x.chunk(textChunk("Done.") + finishChunk("stop"));
          commentsUntilClosed(x);
        });
        GroqProvider p = builder(server).scheduler(clock).build()) {
      Recorder rec = run(p);
      awaitText(rec);
      Duration took = advanceUntilDone(clock, rec, Duration.ofMillis(250));
      rec.awaitComplete();
      assertThat(text(rec)).isEqualTo("Done.");
      assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(3));
    }
  }

  @Test
  void commentsAfterSomeTextAreNotProgress() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    AtomicInteger requests = new AtomicInteger();
    try (ScriptedServer server = new ScriptedServer(x -> {
          requests.incrementAndGet();
          x.startSse();
          x.chunk(textChunk("Hello")); // every request restarts the answer, then only comments
          commentsUntilClosed(x);
        });
        GroqProvider p = builder(server).scheduler(clock).build()) {
      Recorder rec = run(p);
      awaitText(rec);
      advanceUntilDone(clock, rec, Duration.ofSeconds(1));
      Throwable t = rec.awaitError();
      assertThat(((StreamException) t).kind()).isIn(ErrorKind.TIMEOUT, ErrorKind.LIMIT_EXCEEDED);
      assertThat(((StreamException) t).partial().text()).isEqualTo("Hello"); // shown once, not per restart
      assertThat(text(rec)).isEqualTo("Hello");
      assertThat(requests.get()).isBetween(2, GroqProvider.DEFAULT_MAX_REQUESTS_PER_ANSWER);
    }
  }

  /** Keep-alive comments until the client closes the connection, paced by a short read timeout. */
  private static void commentsUntilClosed(ScriptedServer.Exchange x) throws Exception {
    x.socket.setSoTimeout(5);
    for (int i = 0; i < 6000; i++) {
      x.chunk(": keep-alive\n\n");
      try {
        if (x.in.read() < 0) {
          return; // the client closed it
        }
      } catch (java.net.SocketTimeoutException paced) {
        // still open: next comment
      }
    }
  }

  private static void awaitWaiting(Recorder rec) throws InterruptedException {
    rec.awaitEvents(1); // Waiting: the headers arrived
  }

  private static void awaitText(Recorder rec) throws InterruptedException {
    rec.awaitEvents(2); // Waiting, then the first text
  }

  // ------------------------------------------------------------------ restarted continuations, request cap

  @Test
  void aContinuationThatRestartsTheAnswerIsDeDuplicatedUnderContinue() throws Exception {
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(ANSWER).disconnectAfter(4).build())
            .always(ResponseScript.text(ANSWER)) // ignores the prefill: the whole answer again
            .build().start();
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").build()) {
      Recorder rec = run(p);
      rec.awaitComplete();
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
      Recorder rec = run(p);
      rec.awaitComplete();
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
      Recorder rec = run(p);
      Throwable t = rec.awaitError();
      assertThat(server.requests()).hasSize(GroqProvider.DEFAULT_MAX_REQUESTS_PER_ANSWER);
      assertThat(((StreamException) t).kind()).isEqualTo(ErrorKind.LIMIT_EXCEEDED);
      assertThat(t).hasMessageContaining("maxRequestsPerAnswer");
      assertThat(ANSWER).startsWith(((StreamException) t).partial().text());
    }
  }

}
