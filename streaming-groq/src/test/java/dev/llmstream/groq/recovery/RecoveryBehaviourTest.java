package dev.llmstream.groq.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.TokenStream;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.Chunking;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Recovery through the Groq provider against the fake server: the continuation request, stalls and the
 * idle timeout on a virtual clock, attempts running out, cancellation during backoff and reconnect, error
 * events, and a cut with only reasoning shown. The provider's timers and backoff run on a
 * {@link VirtualScheduler}; the fake server paces nothing (it sends as fast as the socket takes it).
 */
class RecoveryBehaviourTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration IDLE = Duration.ofSeconds(10);
  private static final RecoveryPolicy ONE_SECOND =
      RecoveryPolicy.defaults().withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(4)).withJitter(0);
  private static final String ANSWER = "One two three four five six seven eight nine ten.";

  private static GroqProvider.Builder provider(FakeGroqServer server, VirtualScheduler clock) {
    return GroqProvider.builder()
        .baseUrl(server.baseUrl())
        .defaultModel("m")
        .scheduler(clock)
        .idleTimeout(IDLE)
        .firstTokenTimeout(Duration.ofSeconds(30));
  }

  private static String text(List<StreamEvent> events) {
    StringBuilder sb = new StringBuilder();
    for (StreamEvent e : events) {
      if (e instanceof StreamEvent.TextDelta t) {
        sb.append(t.text());
      }
    }
    return sb.toString();
  }

  private static boolean has(TestSubscriber<StreamEvent> sub, Class<?> type) {
    return sub.values().stream().anyMatch(type::isInstance);
  }

  /**
   * Advances virtual time by {@code step} until {@code condition} holds (bounded). The stream reacts to
   * a timer on another thread, hence the bounded wait after each step.
   */
  private static void advanceUntil(VirtualScheduler clock, Duration step, BooleanSupplier condition) {
    for (int i = 0; i < 60 && !condition.getAsBoolean(); i++) {
      clock.advance(step);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250);
      while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    }
    assertThat(condition.getAsBoolean()).as("condition after advancing virtual time").isTrue();
  }

  /** Waits (real time, bounded) for a condition that needs no timer. */
  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(condition.getAsBoolean()).as("condition within " + WAIT).isTrue();
  }

  @Test
  void theContinuationRequestEndsWithThePartialAnswerByteForByte() throws Exception {
    String delivered = "Here is the start,  \n\t"; // whitespace at the cut
    String rest = "and here the rest.";
    Chunking atTheCut = (t, start) -> start < delivered.length() ? delivered.length() : t.length();
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(delivered + rest).chunking(atTheCut).disconnectAfter(2).build())
            .enqueue(ResponseScript.builder().text(rest).build())
            .build().start();
        GroqProvider p = provider(server, clock).recovery(ONE_SECOND).build()) {
      ChatRequest request = ChatRequest.of(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Tell me")))
          .withTemperature(0.5);
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(request).subscribe(sub);
      await(() -> has(sub, StreamEvent.Recovering.class));
      assertThat(server.requests()).as("nothing is sent before the backoff ends").hasSize(1);
      advanceUntil(clock, Duration.ofMillis(500), () -> server.requests().size() == 2);
      sub.awaitTerminal(WAIT).assertNoViolations();

      assertThat(sub.error()).isNull();
      assertThat(text(sub.values())).isEqualTo(delivered + rest);
      Map<String, Object> first = server.requests().get(0).json();
      Map<String, Object> second = server.requests().get(1).json();
      List<?> before = (List<?>) first.get("messages");
      List<?> after = (List<?>) second.get("messages");
      assertThat(after).hasSize(before.size() + 1);
      assertThat(after.subList(0, before.size())).as("the conversation is unchanged").isEqualTo(before);
      assertThat(after.get(after.size() - 1)).isEqualTo(Map.of("role", "assistant", "content", delivered));
      assertThat(second.get("model")).isEqualTo("m");
      assertThat(second.get("temperature")).isEqualTo(first.get("temperature"));
      assertThat(second.get("stream")).isEqualTo(true);
      // the raw body carries the whitespace escaped exactly: no trimming anywhere
      assertThat(server.requests().get(1).body()).contains("\"content\":\"Here is the start,  \\n\\t\"");
    }
  }

  @Test
  void aStallAfterTheFirstTokensFiresTheIdleTimeoutOnTheVirtualClockAndRecovers() throws Exception {
    MatrixDispatcher d = new MatrixDispatcher(MatrixDispatcher.reference());
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(d.reference).chunking(MatrixDispatcher.CHUNKING).stallAfter(31).build())
            .dispatcher(d)
            .build().start();
        GroqProvider p = provider(server, clock).recovery(ONE_SECOND).build()) {
      TokenStream stream = p.stream(ChatRequest.ofUser(MatrixDispatcher.prompt(30)));
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      stream.subscribe(sub);
      await(() -> text(sub.values()).length() == d.chunks(30).length());
      assertThat(server.awaitChunks(0, 31, WAIT).stalled()).isTrue();

      clock.advance(IDLE.minusSeconds(1));
      assertThat(has(sub, StreamEvent.Recovering.class)).as("nothing fires before the idle timeout").isFalse();
      advanceUntil(clock, Duration.ofMillis(500), () -> has(sub, StreamEvent.Recovering.class));
      assertThat(stream.state()).isEqualTo(StreamState.RECOVERING);
      StreamEvent.Recovering r = sub.values().stream()
          .filter(StreamEvent.Recovering.class::isInstance).map(StreamEvent.Recovering.class::cast).findFirst().orElseThrow();
      assertThat(r.attempt()).isEqualTo(1);
      assertThat(r.cause()).contains("TIMEOUT").contains("idle");
      assertThat(server.awaitEnded(0, WAIT).ending()).as("the stalled connection is closed")
          .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);

      advanceUntil(clock, Duration.ofMillis(500), () -> server.requests().size() == 2);
      sub.awaitTerminal(WAIT).assertNoViolations();
      assertThat(sub.error()).isNull();
      assertThat(text(sub.values())).isEqualTo(d.reference);
      assertThat(d.prefills.get(30)).isEqualTo(d.chunks(30));
      assertThat(stream.state()).isEqualTo(StreamState.COMPLETED);
      assertThat(stream.partial().usage().recovered()).isTrue();
      assertThat(d.problems).isEmpty();
    }
  }

  @Test
  void whenEveryRecoveryFailsTheTypedErrorCarriesTheWholePartialAnswer() throws Exception {
    MatrixDispatcher d = new MatrixDispatcher(MatrixDispatcher.reference());
    VirtualScheduler clock = new VirtualScheduler();
    // the first request is cut after 40 chunks; every continuation is cut before its first token
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(d.reference).chunking(MatrixDispatcher.CHUNKING).disconnectAfter(41).build())
            .always(ResponseScript.builder().text("never seen").disconnectAfter(1).build())
            .build().start();
        GroqProvider p = provider(server, clock).maxRetries(1).recovery(ONE_SECOND.withMaxAttempts(3))
            .maxRequestsPerAnswer(7) // the cap (default 6, HardeningTest) would end it one request early
            .build()) {
      TokenStream stream = p.stream(ChatRequest.ofUser("x"));
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      stream.subscribe(sub);
      advanceUntil(clock, Duration.ofMillis(500), sub::isTerminated);

      assertThat(sub.error()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CONNECTION);
      StreamException e = (StreamException) sub.error();
      assertThat(e.partial().text()).isEqualTo(d.chunks(40));
      assertThat(e.partial().finishReason()).isEqualTo(FinishReason.ERROR);
      assertThat(text(sub.values())).isEqualTo(d.chunks(40));
      assertThat(sub.values().stream().filter(StreamEvent.Recovering.class::isInstance)
              .map(x -> ((StreamEvent.Recovering) x).attempt()))
          .containsExactly(1, 2, 3);
      assertThat(stream.state()).isEqualTo(StreamState.FAILED);
      // 1 cut request, then 3 recovery attempts of 2 requests each (the attempt's own retry before a token)
      assertThat(server.requests()).hasSize(7);
      for (RecordedRequest r : server.requests().subList(1, 7)) {
        List<?> messages = (List<?>) r.json().get("messages");
        assertThat(messages.get(messages.size() - 1)).isEqualTo(Map.of("role", "assistant", "content", d.chunks(40)));
      }
      assertThat(clock.pendingTasks()).as("no timer left behind").isZero();
    }
  }

  @Test
  void aContinuationFailingWithAServerErrorCountsAsAFailedAttempt() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(ANSWER).disconnectAfter(4).build())
            .always(ResponseScript.httpError(500))
            .build().start();
        GroqProvider p = provider(server, clock).maxRetries(0).recovery(ONE_SECOND.withMaxAttempts(2)).build()) {
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("x")).subscribe(sub);
      advanceUntil(clock, Duration.ofMillis(500), sub::isTerminated);
      assertThat(sub.error()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.SERVER);
      assertThat(((StreamException) sub.error()).partial().text()).isEqualTo("One two three");
      assertThat(server.requests()).hasSize(3);
    }
  }

  @Test
  void cancelDuringTheBackoffSendsNoFurtherRequest() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(ANSWER).disconnectAfter(4).build())
            .build().start();
        GroqProvider p = provider(server, clock).recovery(ONE_SECOND).build()) {
      CancellationToken token = CancellationToken.create();
      TokenStream stream = p.stream(ChatRequest.ofUser("x"), token);
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      stream.subscribe(sub);
      await(() -> has(sub, StreamEvent.Recovering.class));
      assertThat(stream.state()).isEqualTo(StreamState.RECOVERING);
      await(() -> clock.pendingTasks() == 2); // the stall watchdog, and the backoff timer scheduled after the event

      token.cancel();
      sub.awaitTerminal(WAIT).assertNoViolations();
      assertThat(clock.pendingTasks()).as("the backoff timer and the watchdog are cancelled").isZero();
      clock.advance(Duration.ofMinutes(5)); // long past any backoff
      assertThat(server.requests()).as("no request after the cancel").hasSize(1);
      assertThat(sub.values().get(sub.values().size() - 1)).isEqualTo(StreamEvent.Finish.of(FinishReason.CANCELLED));
      assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
      assertThat(stream.partial().text()).isEqualTo("One two three");
    }
  }

  @Test
  void cancellingTheSubscriptionDuringTheBackoffSendsNoFurtherRequest() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(ANSWER).disconnectAfter(4).build())
            .build().start();
        GroqProvider p = provider(server, clock).recovery(ONE_SECOND).build()) {
      TokenStream stream = p.stream(ChatRequest.ofUser("x"));
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      stream.subscribe(sub);
      await(() -> has(sub, StreamEvent.Recovering.class));
      sub.cancel();
      await(() -> clock.pendingTasks() == 0);
      clock.advance(Duration.ofMinutes(5));
      assertThat(server.requests()).hasSize(1);
      assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
    }
  }

  @Test
  void cancelDuringTheReconnectClosesItAndSendsNoFurtherRequest() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(ANSWER).disconnectAfter(4).build())
            .enqueue(ResponseScript.builder().text(" four").stallAfter(0).build()) // headers, then silence
            .build().start();
        GroqProvider p = provider(server, clock).recovery(ONE_SECOND).build()) {
      CancellationToken token = CancellationToken.create();
      TokenStream stream = p.stream(ChatRequest.ofUser("x"), token);
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      stream.subscribe(sub);
      await(() -> has(sub, StreamEvent.Recovering.class));
      advanceUntil(clock, Duration.ofMillis(500), () -> server.requests().size() == 2);
      await(() -> stream.state() == StreamState.WAITING_FIRST_TOKEN); // the continuation's headers came

      token.cancel();
      sub.awaitTerminal(WAIT).assertNoViolations();
      assertThat(server.awaitEnded(1, WAIT).ending()).isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
      clock.advance(Duration.ofMinutes(5)); // past the first-token timeout, retries and backoffs
      assertThat(server.requests()).as("no request after the cancel").hasSize(2);
      assertThat(clock.pendingTasks()).isZero();
      assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
      assertThat(stream.partial().text()).isEqualTo("One two three");
    }
  }

  @Test
  void aRetryableErrorEventMidStreamIsRecovered() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(ANSWER)
                .errorEventAt(5, "internal_server_error", "service_unavailable", "Service Unavailable", 503).build())
            .enqueue(ResponseScript.builder().text(" four five six seven eight nine ten.").build())
            .build().start();
        GroqProvider p = provider(server, clock).recovery(ONE_SECOND).build()) {
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("x")).subscribe(sub);
      await(() -> has(sub, StreamEvent.Recovering.class));
      advanceUntil(clock, Duration.ofMillis(500), sub::isTerminated);
      assertThat(sub.error()).isNull();
      assertThat(text(sub.values())).isEqualTo(ANSWER);
      StreamEvent.Recovering r = sub.values().stream()
          .filter(StreamEvent.Recovering.class::isInstance).map(StreamEvent.Recovering.class::cast).findFirst().orElseThrow();
      assertThat(r.cause()).contains("UPSTREAM");
    }
  }

  @Test
  void aNonRetryableErrorEventOrAMalformedChunkIsNotRecovered() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(ANSWER)
                .errorEventAt(5, "invalid_request_error", "tool_use_failed", "Failed to call a function", 400).build())
            .enqueue(ResponseScript.builder().text(ANSWER).malformedAt(5).build())
            .build().start();
        GroqProvider p = provider(server, clock).recovery(ONE_SECOND).build()) {
      TestSubscriber<StreamEvent> upstream = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("x")).subscribe(upstream);
      upstream.awaitTerminal(WAIT);
      assertThat(upstream.error()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.UPSTREAM);
      assertThat(((StreamException) upstream.error()).partial().text()).isEqualTo("One two three");

      TestSubscriber<StreamEvent> malformed = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("x")).subscribe(malformed);
      malformed.awaitTerminal(WAIT);
      assertThat(malformed.error()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.PROTOCOL);
      assertThat(((StreamException) malformed.error()).partial().text()).isEqualTo("One two three");

      clock.advance(Duration.ofMinutes(1));
      assertThat(server.requests()).as("neither was re-requested").hasSize(2);
      assertThat(has(upstream, StreamEvent.Recovering.class) || has(malformed, StreamEvent.Recovering.class)).isFalse();
    }
  }

  @Test
  void aCutWithOnlyReasoningShownRestartsAndTellsTheUiToDropIt() throws Exception {
    String reasoning = "The user wants a count. I will count to ten.";
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().reasoning(reasoning).text(ANSWER).disconnectAfter(4).build())
            .enqueue(ResponseScript.builder().reasoning(reasoning).text(ANSWER).build())
            .build().start();
        GroqProvider p = provider(server, clock).recovery(ONE_SECOND).build()) {
      TokenStream stream = p.stream(ChatRequest.ofUser("x"));
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      stream.subscribe(sub);
      await(() -> has(sub, StreamEvent.Recovering.class));
      assertThat(stream.state()).as("during the backoff").isEqualTo(StreamState.RECOVERING);
      advanceUntil(clock, Duration.ofMillis(500), sub::isTerminated);
      assertThat(sub.error()).isNull();
      List<StreamEvent> events = sub.values();
      int replaced = events.indexOf(new StreamEvent.Replaced("", ""));
      assertThat(replaced).as("the reasoning shown is dropped").isPositive();
      assertThat(events.get(replaced + 1)).as("then the UI is told it is resuming").isInstanceOf(StreamEvent.Recovering.class);
      StringBuilder after = new StringBuilder();
      for (StreamEvent e : events.subList(replaced, events.size())) {
        if (e instanceof StreamEvent.ReasoningDelta r) {
          after.append(r.text());
        }
      }
      assertThat(after.toString()).isEqualTo(reasoning);
      assertThat(stream.partial().reasoning()).as("shown once, not twice").isEqualTo(reasoning);
      assertThat(stream.partial().text()).isEqualTo(ANSWER);
      List<?> messages = (List<?>) server.requests().get(1).json().get("messages");
      assertThat(messages).as("nothing to prefill: the same request").hasSize(1);
    }
  }

  @Test
  void theBuilderValidatesTheRecoveryPolicy() {
    GroqProvider.Builder b = GroqProvider.builder();
    assertThatThrownBy(() -> b.recovery(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("policy");
    b.recovery(RecoveryPolicy.disabled());
    assertThatThrownBy(() -> b.recovery(RecoveryPolicy.defaults()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("recovery");
  }
}
