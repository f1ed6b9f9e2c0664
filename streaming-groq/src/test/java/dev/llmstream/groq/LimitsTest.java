package dev.llmstream.groq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every size limit of the provider fails the stream with a typed error naming the setting, with the partial answer. */
class LimitsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  static String text(String t) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + t + "\"},\"finish_reason\":null}]}\n\n";
  }

  static String reasoning(String t) {
    return "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"" + t + "\"}}]}\n\n";
  }

  static String tool(int index, String args) {
    return "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":" + index
        + ",\"id\":\"call_" + index + "\",\"function\":{\"name\":\"f\",\"arguments\":\"" + args + "\"}}]}}]}\n\n";
  }

  static final String FINISH =
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
          + "\"x_groq\":{\"id\":\"req_1\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}}\n\n"
          + "data: [DONE]\n\n";

  private static StreamException fail(FakeGroqServer server, GroqProvider.Builder b) {
    try (GroqProvider p = b.baseUrl(server.baseUrl()).defaultModel("m").build()) {
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("hi")).subscribe(sub);
      sub.awaitTerminal(WAIT).assertNoViolations();
      assertThat(sub.error()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.LIMIT_EXCEEDED);
      return (StreamException) sub.error();
    }
  }

  @Test
  void answerCharsCountTextAndReasoningAndKeepThePartialAnswer() {
    try (FakeGroqServer server = FakeGroqServer.builder()
        .always(ResponseScript.builder().transcript(reasoning("abcd") + text("efgh") + text("ijkl") + FINISH).build())
        .build().start()) {
      StreamException e = fail(server, GroqProvider.builder().maxAnswerChars(10));
      assertThat(e.getMessage()).contains("maxAnswerChars (10 characters)", "GroqProvider.Builder.maxAnswerChars(int)");
      assertThat(e.partial().reasoning()).isEqualTo("abcd");
      assertThat(e.partial().text()).isEqualTo("efgh");
      // exactly at the limit is fine
      try (GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").maxAnswerChars(12).build()) {
        assertThat(p.stream(ChatRequest.ofUser("hi")).collect().join().text()).isEqualTo("efghijkl");
      }
    }
  }

  @Test
  void toolArgumentCharsCountAllCallsTogether() {
    try (FakeGroqServer server = FakeGroqServer.builder()
        .always(ResponseScript.builder().transcript(tool(0, "{}") + tool(1, "x".repeat(40)) + FINISH).build())
        .build().start()) {
      StreamException e = fail(server, GroqProvider.builder().maxToolArgumentChars(30));
      assertThat(e.getMessage()).contains("maxToolArgumentChars (30 characters)");
      assertThat(e.partial().toolCalls()).hasSize(1);
      assertThat(e.partial().toolCalls().get(0).arguments()).isEqualTo("{}");
    }
  }

  @Test
  void eventBytesAreLimitedSeparatelyFromLines() {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      many.append("data: 0123456789\n");
    }
    many.append('\n');
    try (FakeGroqServer server = FakeGroqServer.builder()
        .always(ResponseScript.builder().transcript(text("ok") + many + FINISH).build())
        .build().start()) {
      StreamException e = fail(server, GroqProvider.builder().maxEventBytes(2048));
      assertThat(e.getMessage()).contains("maxEventBytes (2048 bytes)", "GroqProvider.Builder.maxEventBytes(int)");
      assertThat(e.partial().text()).isEqualTo("ok");
    }
  }

  @Test
  void oneStreamOverMaxConcurrentStreamsFailsAtOnceWithoutARequest() {
    try (FakeGroqServer server = FakeGroqServer.builder()
        .enqueue(ResponseScript.builder().text("one two three").stallAfter(1).build())
        .dispatcher(r -> ResponseScript.text("fine"))
        .build().start();
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m")
            .maxConcurrentStreams(1).build()) {
      CancellationToken first = CancellationToken.create();
      TestSubscriber<StreamEvent> a = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("a"), first).subscribe(a);
      server.awaitChunks(0, 1, WAIT);

      TestSubscriber<StreamEvent> b = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("b")).subscribe(b);
      b.awaitTerminal(WAIT).assertNoViolations();
      assertThat(b.error()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.LIMIT_EXCEEDED)
          .hasMessageContaining("maxConcurrentStreams (1)")
          .hasMessageContaining("GroqProvider.Builder.maxConcurrentStreams(int)");
      assertThat(server.requests()).hasSize(1);

      first.cancel();
      a.awaitTerminal(WAIT).assertNoViolations();
      assertThat(server.awaitEnded(0, WAIT).ending()).isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
      // the permit came back: the next stream runs
      assertThat(p.stream(ChatRequest.ofUser("c")).collect().join().text()).isEqualTo("fine");
      // and permits come back after completion and failure too
      assertThat(p.stream(ChatRequest.ofUser("d")).collect().join().text()).isEqualTo("fine");
    }
  }

  @Test
  void aRecoveringAnswerKeepsItsPermitSoANewStreamCannotTakeIt() throws Exception {
    String answer = "one two three four five six";
    dev.llmstream.testkit.VirtualScheduler clock = new dev.llmstream.testkit.VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder()
        .enqueue(ResponseScript.builder().text(answer).disconnectAfter(4).build())
        .dispatcher(r -> ResponseScript.continuing(answer, r))
        .build().start();
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m")
            .maxConcurrentStreams(1)
            .scheduler(clock)
            .recovery(dev.llmstream.core.RecoveryPolicy.defaults()
                .withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).withJitter(0))
            .build()) {
      dev.llmstream.core.TokenStream a = p.stream(ChatRequest.ofUser("a"));
      java.util.concurrent.CompletableFuture<dev.llmstream.core.ChatResponse> done = a.collect();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (a.state() != dev.llmstream.core.StreamState.RECOVERING && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(a.state()).isEqualTo(dev.llmstream.core.StreamState.RECOVERING);
      // During A's backoff its permit is still held: B is refused, A's recovery is not.
      TestSubscriber<StreamEvent> b = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("b")).subscribe(b);
      b.awaitTerminal(WAIT);
      assertThat(b.error()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.LIMIT_EXCEEDED);
      // The backoff timer is scheduled right after the Recovering event: step the clock until it fired.
      for (int i = 0; i < 100 && server.requests().size() < 2; i++) {
        clock.advance(Duration.ofMillis(100));
        try {
          server.awaitRequests(2, Duration.ofMillis(50)); // a short bounded wait between steps
        } catch (AssertionError notYet) {
          // the backoff has not fired yet: step on
        }
      }
      assertThat(done.get(10, java.util.concurrent.TimeUnit.SECONDS).text()).isEqualTo(answer);
      assertThat(server.requests()).hasSize(2);
      assertThat(server.requests().get(1).assistantPrefill()).isNotEmpty();
      // and the permit came back once the answer ended
      assertThat(p.stream(ChatRequest.ofUser("c")).collect().get(10, java.util.concurrent.TimeUnit.SECONDS).text())
          .isEqualTo(answer);
    }
  }

  /** Regression (found by ParserFuzzTest, seed 20261141): bytes after the final chunk in the same read. */
  @Test
  void anOverLongLineAfterTheFinalChunkInTheSameReadDoesNotFailACompleteAnswer() throws Exception {
    try (FakeGroqServer server = FakeGroqServer.builder().always(Wire.writes(List.of(Wire.utf8(
            text("done") + FINISH.replace("data: [DONE]\n\n", "") + "data: " + "z".repeat(3000) + "\n\n"))))
            .build().start();
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").maxLineLength(1024).build()) {
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("hi")).subscribe(sub);
      sub.awaitTerminal(WAIT).assertNoViolations();
      assertThat(sub.error()).isNull();
      assertThat(sub.isCompleted()).isTrue();
      assertThat(sub.values().get(sub.values().size() - 1)).isInstanceOf(StreamEvent.Finish.class);
    }
  }

  @Test
  void serverChosenIdsAndCodesInErrorMessagesStayShort() {
    String huge = "i".repeat(5000);
    try (FakeGroqServer server = FakeGroqServer.builder()
        .always(ResponseScript.builder().transcript(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"x_groq\":{\"id\":\"" + huge + "\"}}\n\n"
                + "event: error\ndata: {\"error\":{\"message\":\"" + huge + "\",\"type\":\"" + huge + "\",\"code\":\""
                + huge + "\"}}\n\n").build())
        .build().start();
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").build()) {
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("hi")).subscribe(sub);
      sub.awaitTerminal(WAIT).assertNoViolations();
      StreamException e = (StreamException) sub.error();
      assertThat(e.requestId()).hasSizeLessThanOrEqualTo(201);
      assertThat(e.toString()).hasSizeLessThan(2_000);
      assertThat(e.partial().text()).isEqualTo("a");
    }
  }

  @Test
  void builderValidatesTheLimits() {
    assertThatThrownBy(() -> GroqProvider.builder().maxAnswerChars(0)).hasMessageContaining("maxAnswerChars");
    assertThatThrownBy(() -> GroqProvider.builder().maxToolArgumentChars(-1)).hasMessageContaining("maxToolArgumentChars");
    assertThatThrownBy(() -> GroqProvider.builder().maxEventBytes(10)).hasMessageContaining("maxEventBytes");
    assertThatThrownBy(() -> GroqProvider.builder().maxConcurrentStreams(0)).hasMessageContaining("maxConcurrentStreams");
    assertThatThrownBy(() -> GroqProvider.builder().maxAnswerChars(5).maxAnswerChars(6))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxAnswerChars was already set");
  }
}
