package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.Usage;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Recovery after a mid-answer cut ({@code StreamSource.recovering}), on the testkit's virtual clock. It lives in
 * the testkit's tests because core's tests cannot use the testkit (the testkit depends on core); the pure
 * dedupe rule is tested in core ({@code DedupeTest}).
 */
class RecoveringSourceTest {
  private static final ChatRequest REQUEST = ChatRequest.ofUser("Tell me");
  private static final RecoveryPolicy NO_JITTER =
      RecoveryPolicy.defaults().withJitter(0).withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));

  /** One scripted attempt: its events one per pull, then completes or fails. */
  static class Attempt implements StreamSource {
    final List<StreamEvent> events;
    final @Nullable StreamException error;
    StreamEmitter emitter;
    int next;
    boolean cancelled;

    Attempt(List<StreamEvent> events, @Nullable StreamException error) {
      this.events = events;
      this.error = error;
    }

    @Override
    public void start(StreamEmitter emitter) {
      this.emitter = emitter;
    }

    @Override
    public void pull() {
      if (next < events.size()) {
        emitter.next(events.get(next++));
        emitter.pullDone();
        return;
      }
      if (error != null) {
        emitter.fail(error);
      } else {
        emitter.complete();
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  final VirtualScheduler clock = new VirtualScheduler();
  final List<ChatRequest> requests = new ArrayList<>();
  final List<Attempt> opened = new ArrayList<>();

  private TokenStream stream(RecoveryPolicy policy, CancellationToken token, Attempt... script) {
    return TokenStream.create(
        StreamSource.recovering(
            REQUEST,
            policy,
            clock,
            (request, n) -> {
              requests.add(request);
              Attempt a = script[Math.min(n, script.length - 1)];
              opened.add(a);
              return a;
            }),
        token);
  }

  private static List<StreamEvent> events(Object... items) {
    List<StreamEvent> out = new ArrayList<>();
    for (Object o : items) {
      out.add(o instanceof String s ? new StreamEvent.TextDelta(s) : (StreamEvent) o);
    }
    return out;
  }

  private static StreamException cut() {
    return new StreamException(ErrorKind.CONNECTION, "connection reset", StreamException.NO_STATUS, null, null);
  }

  private ChatResponse run(TokenStream stream) throws Exception {
    CompletableFuture<ChatResponse> f = stream.collect();
    for (int i = 0; i < 20 && !f.isDone(); i++) {
      clock.advance(Duration.ofSeconds(1));
    }
    return f.get(5, TimeUnit.SECONDS);
  }

  @Test
  void continueResumesWithThePartialAnswerAsPrefillAndShowsOneContinuousText() throws Exception {
    List<String> states = new ArrayList<>();
    TokenStream s =
        stream(
            NO_JITTER,
            CancellationToken.create(),
            new Attempt(events(new StreamEvent.Waiting(null), "Hel", "lo, "), cut()),
            new Attempt(
                events(new StreamEvent.Waiting(null), "world", new StreamEvent.Finish(FinishReason.STOP, null, Usage.of(9, 1, 10))),
                null));
    s.onStateChange((from, to) -> states.add(to.name()));
    ChatResponse r = run(s);
    assertThat(r.text()).isEqualTo("Hello, world");
    assertThat(requests).hasSize(2);
    List<ChatMessage> sent = requests.get(1).messages();
    assertThat(sent.get(sent.size() - 1)).isEqualTo(ChatMessage.assistant("Hello, ")); // whitespace kept
    assertThat(r.usage().promptTokens()).isEqualTo(9); // usage comes with the finish: the last attempt's
    assertThat(r.usage().completionTokens()).isEqualTo(1);
    assertThat(r.usage().recovered()).isTrue();
    assertThat(states).containsSubsequence("STREAMING", "RECOVERING", "WAITING_FIRST_TOKEN", "STREAMING", "COMPLETED");
  }

  @Test
  void continuationKeepsLegitimateRepetitionOfTheTail() throws Exception {
    ChatResponse r =
        run(stream(NO_JITTER, CancellationToken.create(), new Attempt(events("ha ", "ha "), cut()), new Attempt(events("ha ", "ha!"), null)));
    assertThat(r.text()).isEqualTo("ha ha ha ha!");
  }

  @Test
  void aCutWithOnlyReasoningRestartsAndTellsTheUiToDropIt() throws Exception {
    TokenStream s =
        stream(
            NO_JITTER,
            CancellationToken.create(),
            new Attempt(events(new StreamEvent.ReasoningDelta("half a tho")), cut()),
            new Attempt(events(new StreamEvent.ReasoningDelta("a full thought"), "Answer."), null));
    TestSubscriber<StreamEvent> got = TestSubscriber.create();
    s.subscribe(got);
    clock.advance(Duration.ofSeconds(1));
    got.awaitComplete(Events.WAIT);
    ChatResponse r = s.partial();
    assertThat(requests.get(1)).isSameAs(requests.get(0)); // nothing to prefill: the same request
    assertThat(got.values()).contains(new StreamEvent.Replaced("", ""));
    assertThat(r.reasoning()).isEqualTo("a full thought");
    assertThat(r.text()).isEqualTo("Answer.");
  }

  @Test
  void usageIsMarkedRecoveredWhenOnlyTheLastAttemptReportsIt() throws Exception {
    // Groq reports usage with the finish only, so a cut attempt reports none.
    ChatResponse r =
        run(stream(NO_JITTER, CancellationToken.create(), new Attempt(events("Hel"), cut()),
            new Attempt(events("lo", new StreamEvent.Finish(FinishReason.STOP, null, Usage.of(9, 1, 10))), null)));
    assertThat(r.text()).isEqualTo("Hello");
    assertThat(r.usage().totalTokens()).isEqualTo(10);
    assertThat(r.usage().recovered()).isTrue();
  }

  @Test
  void toolCallFragmentsShownBeforeACutAreReplacedNotJoinedWithTheResentCall() throws Exception {
    TestSubscriber<StreamEvent> got = TestSubscriber.create();
    TokenStream s =
        stream(
            NO_JITTER,
            CancellationToken.create(),
            new Attempt(events("Let me look. ", new StreamEvent.ToolCallDelta(0, "c1", "weather", "{\"ci")), cut()),
            new Attempt(events(new StreamEvent.ToolCallDelta(0, "c2", "weather", "{\"city\":\"Paris\"}"), StreamEvent.Finish.of(FinishReason.TOOL_CALLS)), null));
    s.subscribe(got);
    clock.advance(Duration.ofSeconds(1));
    got.awaitComplete(Events.WAIT);
    ChatResponse r = s.partial();
    List<ChatMessage> sent = requests.get(1).messages();
    assertThat(sent.get(sent.size() - 1)).isEqualTo(ChatMessage.assistant("Let me look. "));
    assertThat(got.values()).contains(new StreamEvent.Replaced("Let me look. ", ""));
    assertThat(r.text()).isEqualTo("Let me look. ");
    assertThat(r.toolCalls()).hasSize(1);
    assertThat(r.toolCalls().get(0).arguments()).isEqualTo("{\"city\":\"Paris\"}");
  }

  @Test
  void restartDedupeSkipsTheRepeatedPrefixAndUsesTheSameSeed() throws Exception {
    RecoveryPolicy p = NO_JITTER.withStrategy(RecoveryPolicy.Strategy.RESTART_DEDUPE);
    TestSubscriber<StreamEvent> got = TestSubscriber.create();
    TokenStream s =
        stream(p, CancellationToken.create(), new Attempt(events("The qu", "ick "), cut()), new Attempt(events("The", " quick br", "own fox"), null));
    s.subscribe(got);
    clock.advance(Duration.ofSeconds(1));
    got.awaitComplete(Events.WAIT);
    assertThat(s.partial().text()).isEqualTo("The quick brown fox");
    assertThat(got.values()).filteredOn(e -> e instanceof StreamEvent.TextDelta)
        .extracting(e -> ((StreamEvent.TextDelta) e).text())
        .containsExactly("The qu", "ick ", "br", "own fox");
    assertThat(requests.get(0).seed()).isNotNull();
    assertThat(requests.get(1).seed()).isEqualTo(requests.get(0).seed());
  }

  @Test
  void restartDedupeSignalsReplacedWhenTheNewAnswerDiverges() throws Exception {
    RecoveryPolicy p = NO_JITTER.withStrategy(RecoveryPolicy.Strategy.RESTART_DEDUPE);
    TestSubscriber<StreamEvent> got = TestSubscriber.create();
    TokenStream s =
        stream(p, CancellationToken.create(), new Attempt(events("The quick"), cut()), new Attempt(events("The slow", " turtle"), null));
    s.subscribe(got);
    clock.advance(Duration.ofSeconds(1));
    got.awaitComplete(Events.WAIT);
    assertThat(s.partial().text()).isEqualTo("The slow turtle");
    assertThat(got.values()).contains(new StreamEvent.Replaced("The slow", ""));
  }

  @Test
  void restartDedupeReplacesWhenTheNewAnswerIsShorter() throws Exception {
    RecoveryPolicy p = NO_JITTER.withStrategy(RecoveryPolicy.Strategy.RESTART_DEDUPE);
    ChatResponse r =
        run(stream(p, CancellationToken.create(), new Attempt(events("The quick brown"), cut()), new Attempt(events("The quick", StreamEvent.Finish.of(FinishReason.STOP)), null)));
    assertThat(r.text()).isEqualTo("The quick");
  }

  @Test
  void failStrategyEndsWithTheTypedErrorAndTheExactPartial() {
    TokenStream s = stream(RecoveryPolicy.disabled(), CancellationToken.create(), new Attempt(events("par", "tial"), cut()));
    assertThatThrownBy(() -> s.collect().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CONNECTION)
        .satisfies(e -> assertThat(((StreamException) e).partial().text()).isEqualTo("partial"));
    assertThat(requests).hasSize(1);
  }

  @Test
  void nonRecoverableErrorsAndFailuresBeforeAnyTokenAreNotRecovered() {
    StreamException bad = new StreamException(ErrorKind.PROTOCOL, "bad json", 200, null, null);
    TokenStream s1 = stream(NO_JITTER, CancellationToken.create(), new Attempt(events("abc"), bad));
    assertThatThrownBy(() -> s1.collect().get(5, TimeUnit.SECONDS)).cause().isSameAs(bad);
    assertThat(requests).hasSize(1);
    requests.clear();
    TokenStream s2 = stream(NO_JITTER, CancellationToken.create(), new Attempt(events(new StreamEvent.Waiting(null)), cut()));
    assertThatThrownBy(() -> s2.collect().get(5, TimeUnit.SECONDS)).cause().isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CONNECTION);
    assertThat(requests).hasSize(1);
  }

  @Test
  void afterTheLastAttemptTheErrorCarriesTheWholePartialAnswer() throws Exception {
    RecoveryPolicy p = NO_JITTER.withMaxAttempts(2);
    StreamException idle = StreamException.timeout(StreamState.STREAMING, Duration.ofSeconds(30), null, null);
    TokenStream s =
        stream(p, CancellationToken.create(), new Attempt(events("one "), cut()), new Attempt(events("two "), cut()), new Attempt(events("three"), idle));
    CompletableFuture<ChatResponse> f = s.collect();
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofSeconds(1));
    }
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause().isSameAs(idle);
    assertThat(idle.partial().text()).isEqualTo("one two three");
    assertThat(requests).hasSize(3);
    assertThat(s.state()).isEqualTo(StreamState.FAILED);
  }

  @Test
  void aFactoryThrowingForARecoveryAttemptFailsTheStreamWithThePartialAnswer() throws Exception {
    IllegalStateException boom = new IllegalStateException("cannot open");
    TokenStream s =
        TokenStream.create(
            StreamSource.recovering(REQUEST, NO_JITTER, clock, (request, n) -> {
              if (n > 0) {
                throw boom;
              }
              return new Attempt(events("so far"), cut());
            }),
            CancellationToken.create());
    CompletableFuture<ChatResponse> f = s.collect();
    clock.advance(Duration.ofSeconds(1));
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> f.get(5, TimeUnit.SECONDS)).getCause();
    assertThat(t).isInstanceOf(StreamException.class).hasCause(boom);
    assertThat(((StreamException) t).partial().text()).isEqualTo("so far");
    assertThat(s.state()).isEqualTo(StreamState.FAILED);
  }

  @Test
  void backoffDoublesOnTheVirtualClock() {
    RecoveryPolicy p = NO_JITTER.withMaxAttempts(3);
    TokenStream s = stream(p, CancellationToken.create(), new Attempt(events("a"), cut()), new Attempt(events("b"), cut()), new Attempt(events("c"), cut()), new Attempt(events("d"), null));
    s.collect();
    assertThat(requests).hasSize(1);
    clock.advance(Duration.ofMillis(99));
    assertThat(requests).hasSize(1);
    clock.advance(Duration.ofMillis(1)); // 100 ms
    assertThat(requests).hasSize(2);
    clock.advance(Duration.ofMillis(199));
    assertThat(requests).hasSize(2);
    clock.advance(Duration.ofMillis(1)); // 200 ms
    assertThat(requests).hasSize(3);
    clock.advance(Duration.ofMillis(400)); // 400 ms
    assertThat(requests).hasSize(4);
    assertThat(s.partial().text()).isEqualTo("abcd");
  }

  @Test
  void cancelDuringBackoffSendsNoFurtherRequest() throws Exception {
    CancellationToken token = CancellationToken.create();
    TokenStream s = stream(NO_JITTER, token, new Attempt(events("abc"), cut()), new Attempt(events("def"), null));
    CompletableFuture<ChatResponse> f = s.collect();
    assertThat(s.state()).isEqualTo(StreamState.RECOVERING);
    token.cancel();
    clock.advance(Duration.ofSeconds(10));
    assertThat(requests).hasSize(1);
    ChatResponse r = f.get(5, TimeUnit.SECONDS);
    assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(r.text()).isEqualTo("abc");
  }

  @Test
  void cancelDuringAReconnectCancelsThatAttempt() throws Exception {
    CancellationToken token = CancellationToken.create();
    Attempt hanging = new Attempt(events(), null) {
      @Override
      public void pull() {
        // never answers: a reconnect that hangs
      }
    };
    TokenStream s = stream(NO_JITTER, token, new Attempt(events("abc"), cut()), hanging);
    CompletableFuture<ChatResponse> f = s.collect();
    clock.advance(Duration.ofSeconds(1));
    assertThat(opened).hasSize(2);
    token.cancel();
    assertThat(hanging.cancelled).isTrue();
    assertThat(f.get(5, TimeUnit.SECONDS).text()).isEqualTo("abc");
  }

  // ------------------------------------------------------------------ issue 18

  /** An attempt that emits its events, then neither completes nor fails (a server gone quiet). */
  static final class Quiet extends Attempt {
    Quiet(List<StreamEvent> events) {
      super(events, null);
    }

    @Override
    public void pull() {
      if (next < events.size()) {
        emitter.next(events.get(next++));
        emitter.pullDone();
      }
    }
  }

  private TokenStream stalling(Duration stall, RecoveryPolicy policy, Attempt... script) {
    return TokenStream.create(
        StreamSource.recovering(REQUEST, policy, clock, (request, n) -> {
          requests.add(request);
          Attempt a = script[Math.min(n, script.length - 1)];
          opened.add(a);
          return a;
        }, stall),
        CancellationToken.create());
  }

  @Test
  void continueDropsTheRepeatOfAContinuationThatRestartsTheAnswer() throws Exception {
    TestSubscriber<StreamEvent> got = TestSubscriber.create();
    TokenStream s = stream(NO_JITTER, CancellationToken.create(),
        new Attempt(events("The quick ", "brown fox "), cut()),
        new Attempt(events("The qu", "ick brown", " fox jumps", ".", StreamEvent.Finish.of(FinishReason.STOP)), null));
    s.subscribe(got);
    clock.advance(Duration.ofSeconds(1));
    got.awaitComplete(Events.WAIT);
    assertThat(s.partial().text()).isEqualTo("The quick brown fox jumps.");
    assertThat(got.values()).noneMatch(e -> e instanceof StreamEvent.Replaced);
    List<ChatMessage> sent = requests.get(1).messages();
    assertThat(sent.get(sent.size() - 1)).isEqualTo(ChatMessage.assistant("The quick brown fox "));
  }

  @Test
  void continueReplacesARestartThatDiverges() throws Exception {
    TestSubscriber<StreamEvent> got = TestSubscriber.create();
    TokenStream s = stream(NO_JITTER, CancellationToken.create(),
        new Attempt(events("The quick brown fox "), cut()),
        new Attempt(events("The quick brown cat", " sleeps.", StreamEvent.Finish.of(FinishReason.STOP)), null));
    s.subscribe(got);
    clock.advance(Duration.ofSeconds(1));
    got.awaitComplete(Events.WAIT);
    assertThat(s.partial().text()).isEqualTo("The quick brown cat sleeps.");
    assertThat(got.values()).contains(new StreamEvent.Replaced("The quick brown cat", ""));
  }

  @Test
  void continueKeepsAShortContinuationOfARepetitiveAnswerAndShowsAVerbatimRepeatOnce() throws Exception {
    // a continuation that repeats the beginning and ends before repeating all of it: a continuation
    ChatResponse r = run(stream(NO_JITTER, CancellationToken.create(),
        new Attempt(events("Row, row, row your boat. "), cut()),
        new Attempt(events("Row, row, ", "row your", StreamEvent.Finish.of(FinishReason.STOP)), null)));
    assertThat(r.text()).isEqualTo("Row, row, row your boat. Row, row, row your");
    // one that repeats all of it is taken for a restart (indistinguishable): the text is shown once
    requests.clear();
    ChatResponse once = run(stream(NO_JITTER, CancellationToken.create(),
        new Attempt(events("Row, row, row your boat. "), cut()),
        new Attempt(events("Row, row, ", "row your boat. ", StreamEvent.Finish.of(FinishReason.STOP)), null)));
    assertThat(once.text()).isEqualTo("Row, row, row your boat. ");
    // and one that starts like the answer but soon differs is passed on whole
    requests.clear();
    ChatResponse r2 = run(stream(NO_JITTER, CancellationToken.create(),
        new Attempt(events("The first point. "), cut()),
        new Attempt(events("The second", " point.", StreamEvent.Finish.of(FinishReason.STOP)), null)));
    assertThat(r2.text()).isEqualTo("The first point. The second point.");
  }

  @Test
  void theStallWatchdogEndsAQuietAnswerAsATimeoutAcrossAttempts() throws Exception {
    Quiet quiet = new Quiet(events("Hello"));
    TokenStream s = stalling(Duration.ofSeconds(120), NO_JITTER, quiet);
    CompletableFuture<ChatResponse> f = s.collect();
    clock.advance(Duration.ofSeconds(119));
    assertThat(f).isNotDone();
    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause()
        .isInstanceOfSatisfying(StreamException.class, e -> {
          assertThat(e.kind()).isEqualTo(dev.llmstream.core.ErrorKind.TIMEOUT);
          assertThat(e.getMessage()).contains("120000 ms").contains("stall timeout");
          assertThat(e.partial().text()).isEqualTo("Hello");
        });
    assertThat(quiet.cancelled).as("the running attempt is aborted").isTrue();
    assertThat(clock.pendingTasks()).as("no timer left").isZero();
  }

  @Test
  void contentResetsTheStallClockAndCompletionStopsIt() throws Exception {
    Quiet quiet = new Quiet(events("a"));
    TokenStream s = stalling(Duration.ofSeconds(120), NO_JITTER, quiet);
    CompletableFuture<ChatResponse> f = s.collect();
    clock.advance(Duration.ofSeconds(100));
    quiet.emitter.next(new StreamEvent.TextDelta("b")); // content at 100 s
    clock.advance(Duration.ofSeconds(100));
    assertThat(f).as("200 s, but only 100 s without content").isNotDone();
    quiet.emitter.next(StreamEvent.Finish.of(FinishReason.STOP));
    quiet.emitter.complete();
    assertThat(f.get(5, TimeUnit.SECONDS).text()).isEqualTo("ab");
    clock.advance(Duration.ofMinutes(10));
    assertThat(clock.pendingTasks()).as("the watchdog is stopped").isZero();
  }

  @Test
  void timeWithoutDemandIsNotAStall() throws Exception {
    Quiet quiet = new Quiet(events("a", "b", "c"));
    TokenStream s = stalling(Duration.ofSeconds(120), NO_JITTER, quiet);
    List<StreamEvent> got = new ArrayList<>();
    java.util.concurrent.Flow.Subscription[] sub = new java.util.concurrent.Flow.Subscription[1];
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    s.subscribe(new java.util.concurrent.Flow.Subscriber<>() {
      @Override
      public void onSubscribe(java.util.concurrent.Flow.Subscription x) {
        sub[0] = x;
        x.request(1);
      }

      @Override
      public void onNext(StreamEvent item) {
        got.add(item);
      }

      @Override
      public void onError(Throwable t) {
        failed.complete(t);
      }

      @Override
      public void onComplete() {
        failed.complete(null);
      }
    });
    clock.advance(Duration.ofMinutes(30)); // the subscriber holds one event and asks for nothing more
    assertThat(failed).isNotDone();
    sub[0].request(Long.MAX_VALUE); // then takes the rest; the attempt goes quiet after "c"
    clock.advance(Duration.ofSeconds(119));
    assertThat(failed).isNotDone();
    clock.advance(Duration.ofSeconds(2));
    assertThat(failed.get(5, TimeUnit.SECONDS)).isInstanceOf(StreamException.class);
  }

  @Test
  void policyValidatesItsSettingsByName() {
    assertThatThrownBy(() -> RecoveryPolicy.defaults().withMaxAttempts(0)).hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> RecoveryPolicy.defaults().withJitter(2)).hasMessageContaining("jitter");
    assertThatThrownBy(() -> RecoveryPolicy.defaults().withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("backoff");
    assertThat(RecoveryPolicy.defaults().backoff(10)).isEqualTo(Duration.ofSeconds(4));
  }

}
