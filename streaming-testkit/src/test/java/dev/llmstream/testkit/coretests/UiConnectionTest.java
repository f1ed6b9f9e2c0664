package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiConnection;
import dev.llmstream.core.Usage;
import dev.llmstream.testkit.RecordingSink;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The sink adapter: order, serial calls, terminal exactly once, cancel, failures, slow UIs. */
class UiConnectionTest {
  private final VirtualScheduler clock = new VirtualScheduler();
  private final UiConfig options = UiConfig.defaults().withScheduler(clock);

  private static StreamEvent text(String s) {
    return new StreamEvent.TextDelta(s);
  }

  @Test
  void aMinimalSinkIsOneLambda() throws Exception {
    StringBuilder screen = new StringBuilder();
    UiConnection c =
        UiConnection.connect(
            TokenStream.of(List.of(text("Hel"), text("lo"), StreamEvent.Finish.of(FinishReason.STOP))),
            (batch, full) -> screen.append(batch),
            Runnable::run,
            options);
    assertThat(c.done().get(1, TimeUnit.SECONDS).text()).isEqualTo("Hello");
    assertThat(screen).hasToString("Hello");
  }

  @Test
  void theSinkSeesTheAnswerInOrderWithTypingAndProgress() throws Exception {
    RecordingSink sink = new RecordingSink();
    UiConnection c =
        UiConnection.connect(
            TokenStream.of(
                List.of(
                    new StreamEvent.Waiting("r1"),
                    new StreamEvent.ReasoningDelta("hmm"),
                    text("Hel"),
                    text("lo"),
                    new StreamEvent.ToolCallDelta(0, "id", "f", "{}"),
                    new StreamEvent.Finish(FinishReason.TOOL_CALLS, null, Usage.of(5, 3, 8)))),
            sink,
            Runnable::run,
            options);
    assertThat(sink.calls())
        .containsExactly(
            "start",
            "typing:true",
            "typing:false",
            "reasoning:hmm|hmm",
            "text:Hello", // within the reasoning batch's window: coalesced, flushed by the tool call
            "tool:0:{}",
            "completed:Hello");
    assertThat(sink.shownText()).isEqualTo("Hello");
    ChatResponse r = c.done().get(1, TimeUnit.SECONDS);
    assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(r.toolCalls()).hasSize(1);
    assertThat(sink.progress()).hasSize(2);
    StreamMetrics p = sink.progress().get(1);
    assertThat(p.tokens()).isEqualTo(4); // deltas received so far: the tool call arrived, and flushed the text
    assertThat(p.characters()).isEqualTo(8);
    assertThat(p.batches()).isEqualTo(2);
    assertThat(sink.violations()).isEmpty();
  }

  @Test
  void recoveryEventsReachTheSinkAndTypingComesBackForANewAttempt() {
    RecordingSink sink = new RecordingSink();
    UiConnection c = UiConnection.connect(
        TokenStream.of(
            List.of(
                text("a"),
                new StreamEvent.Recovering(1, "connection reset"),
                new StreamEvent.Waiting(null),
                new StreamEvent.Replaced("A", ""),
                text("b"),
                StreamEvent.Finish.of(FinishReason.STOP))),
        sink,
        Runnable::run,
        options);
    assertThat(sink.calls())
        .containsExactly(
            "start",
            "typing:true",
            "typing:false",
            "text:a",
            "recovering:1:connection reset",
            "typing:true",
            "typing:false",
            "replaced:A|",
            "text:b",
            "completed:Ab");
    assertThat(c.metrics().recoveries()).isEqualTo(1);
    assertThat(c.metrics().retries()).isZero();
  }

  @Test
  void repeatedWaitingBeforeTheFirstTokenCountsAsRetries() {
    UiConnection c =
        UiConnection.connect(
            TokenStream.of(
                List.of(
                    new StreamEvent.Waiting(null),
                    new StreamEvent.Waiting(null),
                    new StreamEvent.Waiting(null),
                    text("a"),
                    StreamEvent.Finish.of(FinishReason.STOP))),
            new RecordingSink(),
            Runnable::run,
            options);
    assertThat(c.metrics().retries()).isEqualTo(2);
  }

  @Test
  void aSinkThrowingWhileShowingAFailureKeepsTheStreamErrorAsSuppressed() {
    StreamException error = new StreamException(ErrorKind.CONNECTION, "reset", StreamException.NO_STATUS, null, null);
    RuntimeException bug = new IllegalStateException("spinner gone");
    RecordingSink sink =
        new RecordingSink() {
          @Override
          public void onTyping(boolean typing) {
            super.onTyping(typing);
            if (!typing) {
              throw bug;
            }
          }
        };
    UiConnection.connect(TokenStream.failing(List.of(), error), sink, Runnable::run, options);
    assertThat(sink.terminalCalls()).isEqualTo(1);
    assertThat(sink.failure()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CALLER).hasCause(bug);
    assertThat(sink.failure().getSuppressed()).containsExactly(error);
    assertThat(sink.violations()).isEmpty();
  }

  @Test
  void theFirstTokenIsNotDelayedAndTtftIsMeasured() {
    RecordingSink sink = new RecordingSink();
    TimedSource model = new TimedSource(clock, 4, 1, Duration.ofMillis(20), Duration.ofMillis(300), "x");
    UiConnection c =
        UiConnection.connect(TokenStream.create(model, CancellationToken.create()), sink, Runnable::run, options);
    clock.advance(Duration.ofMillis(300));
    assertThat(sink.content()).containsExactly("text:x");
    assertThat(c.metrics().timeToFirstToken()).isEqualTo(Duration.ofMillis(300));
    assertThat(c.metrics().state()).isEqualTo(StreamState.STREAMING);
    clock.advance(Duration.ofMillis(100));
    // tokens at 300, 320, 340, 360 ms: "xx" goes out at 350 (one window after the first batch), the
    // last "x" with the Finish at 360
    assertThat(sink.content()).containsExactly("text:x", "text:xx", "text:x", "completed:xxxx");
    StreamMetrics m = c.metrics();
    assertThat(m.state()).isEqualTo(StreamState.COMPLETED);
    assertThat(m.tokens()).isEqualTo(4);
    assertThat(m.batches()).isEqualTo(3);
    assertThat(m.maxInterTokenGap()).isEqualTo(Duration.ofMillis(20));
    assertThat(m.maxStreamLatency()).isEqualTo(Duration.ofMillis(30));
    assertThat(m.elapsed()).isEqualTo(Duration.ofMillis(360));
  }

  @Test
  void aSlowUiGetsCoalescedBatchesAndReadingStopsAtTheCap() {
    QueueExecutor ui = new QueueExecutor();
    RecordingSink sink = new RecordingSink();
    PushSource model = new PushSource();
    UiConfig small =
        options.withMaxBatchChars(16).withMaxPendingChars(1_000);
    UiConnection c =
        UiConnection.connect(TokenStream.create(model, CancellationToken.create()), sink, ui, small);
    assertThat(model.text("first")).isTrue();
    ui.runAll();
    assertThat(sink.content()).containsExactly("text:first");
    // the UI thread is now busy: nothing runs on it while the model sends 10 chars per millisecond
    int accepted = 0;
    for (int i = 0; i < 1_000; i++) {
      clock.advance(Duration.ofMillis(1));
      if (model.text("0123456789")) {
        accepted++;
      }
    }
    assertThat(accepted * 10).as("the buffer stops reading at maxPendingChars").isBetween(1_000, 1_030);
    assertThat(ui.queued()).as("no task queue grows on the UI thread").isLessThanOrEqualTo(1);
    ui.runAll();
    // "first", then one update: the batch waiting for the UI (from 50 ms) merged with everything since
    assertThat(sink.textCalls()).as("one coalesced update, not one per token").isEqualTo(2);
    assertThat(sink.shownText()).hasSize(5 + accepted * 10);
    String joined =
        sink.calls().stream().filter(x -> x.startsWith("text:")).map(x -> x.substring(5)).reduce("", String::concat);
    assertThat(joined).as("the batches add up to the text shown").isEqualTo(sink.shownText());
    assertThat(model.text("more")).as("reading resumes once the UI caught up").isTrue();
    c.cancel();
    ui.runAll();
    assertThat(sink.violations()).isEmpty();
  }

  @Test
  void aSinkThatThrowsCancelsTheStreamAndFailsOnce() throws Exception {
    PushSource model = new PushSource();
    RuntimeException bug = new IllegalStateException("widget disposed");
    RecordingSink sink =
        new RecordingSink() {
          @Override
          public void onText(CharSequence batch, CharSequence fullText) {
            super.onText(batch, fullText);
            if (textCalls() == 2) {
              throw bug;
            }
          }
        };
    UiConnection c =
        UiConnection.connect(TokenStream.create(model, CancellationToken.create()), sink, Runnable::run, options);
    model.text("a");
    clock.advance(Duration.ofMillis(60));
    model.text("b"); // leading edge: delivered, and the sink throws
    assertThat(model.cancelled).as("the network exchange is aborted").isTrue();
    assertThat(model.text("c")).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(sink.terminalCalls()).isEqualTo(1);
    assertThat(sink.calls()).last().isEqualTo("failed:CALLER:ab");
    assertThat(sink.failure()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CALLER).hasCause(bug);
    assertThat(sink.failure().partial().text()).isEqualTo("ab");
    assertThat(sink.violations()).isEmpty();
    assertThatThrownBy(() -> c.done().get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CALLER);
    assertThat(c.metrics().errorKind()).isEqualTo(ErrorKind.CALLER);
  }

  @Test
  void cancelStopsTheStreamAndHandsOverThePartial() throws Exception {
    QueueExecutor ui = new QueueExecutor();
    PushSource model = new PushSource();
    RecordingSink sink = new RecordingSink();
    UiConnection c =
        UiConnection.connect(TokenStream.create(model, CancellationToken.create()), sink, ui, options);
    model.text("Hello");
    ui.runAll();
    model.text(" wor"); // held in the buffer (within the window)
    assertThat(c.cancel()).isTrue();
    assertThat(c.cancel()).isFalse();
    assertThat(model.cancelled).isTrue();
    clock.advance(Duration.ofMillis(7)); // the UI thread is busy for 7 ms
    ui.runAll();
    assertThat(sink.content()).containsExactly("text:Hello", "cancelled:Hello");
    assertThat(sink.calls()).contains("typing:false");
    ChatResponse partial = c.done().get(1, TimeUnit.SECONDS);
    assertThat(partial.text()).isEqualTo("Hello");
    assertThat(partial.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(c.metrics().cancelLatency()).isEqualTo(Duration.ofMillis(7));
    assertThat(c.metrics().state()).isEqualTo(StreamState.CANCELLED);
    assertThat(sink.violations()).isEmpty();
  }

  @Test
  void cancelWinsOverAnEndTheUiHasNotShownYet() throws Exception {
    QueueExecutor ui = new QueueExecutor();
    RecordingSink sink = new RecordingSink();
    UiConnection c =
        UiConnection.connect(
            TokenStream.of(List.of(text("a"), StreamEvent.Finish.of(FinishReason.STOP))), sink, ui, options);
    // the stream has completed inside the adapter, but the UI thread has not run yet
    assertThat(c.cancel()).isTrue();
    ui.runAll();
    assertThat(sink.content()).containsExactly("cancelled:");
    assertThat(c.done().get(1, TimeUnit.SECONDS).finishReason()).isEqualTo(FinishReason.CANCELLED);
  }

  @Test
  void cancelAfterTheEndReturnsFalseAndChangesNothing() throws Exception {
    RecordingSink sink = new RecordingSink();
    UiConnection c =
        UiConnection.connect(
            TokenStream.of(List.of(text("a"), StreamEvent.Finish.of(FinishReason.STOP))),
            sink,
            Runnable::run,
            options);
    assertThat(c.cancel()).isFalse();
    assertThat(sink.content()).containsExactly("text:a", "completed:a");
    assertThat(c.done().get(1, TimeUnit.SECONDS).finishReason()).isEqualTo(FinishReason.STOP);
  }

  @Test
  void cancellingThroughTheTokenAlsoEndsWithOnCancelled() throws Exception {
    PushSource model = new PushSource();
    CancellationToken token = CancellationToken.create();
    RecordingSink sink = new RecordingSink();
    UiConnection c = UiConnection.connect(TokenStream.create(model, token), sink, Runnable::run, options);
    model.text("partial");
    token.cancel();
    assertThat(sink.content()).containsExactly("text:partial", "cancelled:partial");
    assertThat(c.done().get(1, TimeUnit.SECONDS).finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(c.cancel()).isFalse();
  }

  @Test
  void aFailedStreamGivesOnFailedWithTheErrorAndThePartial() {
    StreamException error = new StreamException(ErrorKind.CONNECTION, "connection reset by peer", 0, "req-9", null);
    RecordingSink sink = new RecordingSink();
    UiConnection c =
        UiConnection.connect(TokenStream.failing(List.of(text("a"), text("b")), error), sink, Runnable::run, options);
    assertThat(sink.content()).containsExactly("text:a", "text:b", "failed:CONNECTION:ab");
    assertThat(sink.failure()).isSameAs(error);
    assertThat(sink.response().finishReason()).isEqualTo(FinishReason.ERROR);
    assertThat(c.done()).isCompletedExceptionally();
    assertThat(c.metrics().errorKind()).isEqualTo(ErrorKind.CONNECTION);
  }

  @Test
  void aRejectingExecutorEndsTheStreamWithoutHanging() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    PushSource model = new PushSource();
    RecordingSink sink = new RecordingSink();
    UiConnection c =
        UiConnection.connect(
            TokenStream.create(model, CancellationToken.create()),
            sink,
            r -> {
              if (accepted.incrementAndGet() > 2) {
                throw new RejectedExecutionException("UI closed");
              }
              r.run();
            },
            options);
    model.text("a"); // task 2
    model.text("b"); // held
    clock.advance(Duration.ofMillis(50)); // task 3: rejected
    assertThat(model.cancelled).isTrue();
    assertThatThrownBy(() -> c.done().get(1, TimeUnit.SECONDS))
        .cause().isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CALLER)
        .hasMessageContaining("rejected");
    assertThat(sink.content()).containsExactly("text:a");
    assertThat(c.metrics().state()).isEqualTo(StreamState.FAILED);
  }

  @Test
  void anExecutorRejectingAtOnceNeverStartsTheRequest() {
    PushSource model = new PushSource();
    UiConnection c =
        UiConnection.connect(
            TokenStream.create(model, CancellationToken.create()),
            new RecordingSink(),
            r -> {
              throw new RejectedExecutionException("shut down");
            },
            options);
    assertThat(model.started).isFalse();
    assertThat(c.done()).isCompletedExceptionally();
  }

  @Test
  void onAPoolTheSinkIsStillCalledSeriallyAndNeverAfterTheEnd() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 20; round++) {
        RecordingSink sink = new RecordingSink();
        // first rounds: no window (no timers); later rounds: real timers racing with the pool
        UiConfig noWindow =
            round < 10
                ? UiConfig.defaults().withWindow(Duration.ZERO).withScheduler(clock)
                : UiConfig.defaults().withWindow(Duration.ofMillis(1)).withMaxBatchChars(64);
        GeneratingSource model = new GeneratingSource(2_000, 7, pool);
        UiConnection c =
            UiConnection.connect(TokenStream.create(model, CancellationToken.create()), sink, pool, noWindow);
        if (round % 2 == 1) {
          c.cancel();
        }
        CompletableFuture<ChatResponse> done = c.done();
        ChatResponse r = done.get(10, TimeUnit.SECONDS);
        assertThat(sink.violations()).isEmpty();
        assertThat(sink.terminalCalls()).isEqualTo(1);
        if (round % 2 == 0) {
          assertThat(r.text()).startsWith("t0t1t2").endsWith("t1999");
          assertThat(sink.shownText()).isEqualTo(r.text());
        } else {
          assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSinkThrowingInOnStartFailsAndTheRequestIsNeverSent() {
    PushSource model = new PushSource();
    RecordingSink sink =
        new RecordingSink() {
          @Override
          public void onStart() {
            throw new IllegalStateException("no window");
          }
        };
    UiConnection c =
        UiConnection.connect(TokenStream.create(model, CancellationToken.create()), sink, Runnable::run, options);
    assertThat(model.started).isFalse();
    assertThat(sink.content()).containsExactly("failed:CALLER:");
    assertThat(c.done()).isCompletedExceptionally();
  }

  @Test
  void nullArgumentsFailFastNamingTheSetting() {
    TokenStream s = TokenStream.of(List.of());
    assertThatThrownBy(() -> UiConnection.connect(s, new RecordingSink(), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("uiExecutor");
    assertThatThrownBy(() -> UiConnection.connect(s, null, Runnable::run))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("sink");
    assertThatThrownBy(() -> UiConfig.defaults().withScheduler(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("scheduler");
  }

}
