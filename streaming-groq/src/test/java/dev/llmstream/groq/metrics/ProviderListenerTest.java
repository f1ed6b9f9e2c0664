package dev.llmstream.groq.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamListener;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.StreamTrace;
import dev.llmstream.core.TokenStream;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.Chunking;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The provider-level {@link StreamListener}: attributes and timings of every stream, on the testkit's
 * virtual clock (shared by the fake server's pacing and the provider), so every time is exact.
 */
class ProviderListenerTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  /** Records each call with the virtual time it came at. */
  static final class Recorder implements StreamListener {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicReference<StreamTrace> ended = new AtomicReference<>();
    final VirtualScheduler clock;

    Recorder(VirtualScheduler clock) {
      this.clock = clock;
    }

    private void add(String s) {
      calls.add(s + "@" + clock.nanoTime() / 1_000_000);
    }

    @Override
    public void onRequestSent(StreamTrace t) {
      add("sent");
    }

    @Override
    public void onHeaders(StreamTrace t) {
      add("headers");
    }

    @Override
    public void onFirstChunk(StreamTrace t) {
      add("first " + t.timeToFirstChunk().toMillis());
    }

    @Override
    public void onChunk(StreamTrace t, long gap) {
      add("chunk " + gap / 1_000_000);
    }

    @Override
    public void onCancelRequested(StreamTrace t) {
      add("cancel");
    }

    @Override
    public void onEnd(StreamTrace t) {
      add("end " + t.outcome());
      ended.set(t);
    }
  }

  private static GroqProvider provider(FakeGroqServer server, VirtualScheduler clock, StreamListener l) {
    return GroqProvider.builder()
        .baseUrl(server.baseUrl())
        .defaultModel("requested-model")
        .scheduler(clock)
        .maxRetryDelay(Duration.ofSeconds(5))
        .firstTokenTimeout(Duration.ofHours(1)) // never the next task in these tests
        .listener(l)
        .build();
  }

  /** Moves the clock to the next task, then waits until the subscriber holds {@code n} events. */
  private static void step(VirtualScheduler clock, TestSubscriber<StreamEvent> sub, int n) {
    Duration d = clock.nextDelay();
    clock.advance(d == null ? Duration.ZERO : d);
    sub.awaitCount(n, WAIT);
  }

  /** Waits (bounded) until the provider has scheduled its retry: a task due within the retry cap. */
  private static Duration awaitRetryTimer(VirtualScheduler clock) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Duration d = clock.nextDelay();
      if (d != null && d.compareTo(Duration.ofSeconds(5)) <= 0) {
        return d;
      }
      clock.runDue();
      Thread.onSpinWait();
    }
    throw new AssertionError("the provider scheduled no retry within " + WAIT);
  }

  private static ResponseScript paced(String text) {
    return ResponseScript.builder()
        .text(text)
        .chunking(Chunking.perWord())
        .model("served-model")
        .promptTokens(12)
        .timeToFirstToken(Duration.ofMillis(350)) // the first word (with the role chunk right before it)
        .tokensPerSecond(20)
        .jitter(0)
        .build();
  }

  @Test
  void aCompletedStreamReportsItsAttributesAndExactTimings() {
    VirtualScheduler clock = new VirtualScheduler();
    Recorder rec = new Recorder(clock);
    try (FakeGroqServer server = FakeGroqServer.builder().scheduler(clock).always(paced("one two three four"))
            .build().start();
        GroqProvider p = provider(server, clock, rec)) {
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("hi")).subscribe(sub);
      server.awaitRequests(1, WAIT);
      step(clock, sub, 1); // headers: Waiting
      for (int n = 2; n <= 5; n++) { // 350 ms: the role chunk and the first word, then
        step(clock, sub, n); // a word every 50 ms
      }
      step(clock, sub, 6); // the finish, with usage
      sub.awaitTerminal(WAIT);

      assertThat(rec.calls)
          .containsExactly(
              "sent@0", "headers@0", "first 350@350", "chunk 50@400", "chunk 50@450", "chunk 50@500",
              "end completed@550");
      StreamTrace t = rec.ended.get();
      assertThat(t.providerName()).isEqualTo("groq");
      assertThat(t.requestModel()).isEqualTo("requested-model");
      assertThat(t.responseModel()).isEqualTo("served-model");
      assertThat(t.requestId()).startsWith("req_");
      assertThat(t.serverAddress()).isEqualTo("127.0.0.1");
      assertThat(t.serverPort()).isEqualTo(server.port());
      assertThat(t.finalState()).isEqualTo(StreamState.COMPLETED);
      assertThat(t.errorKind()).isNull();
      assertThat(t.attempts()).isEqualTo(1);
      assertThat(t.chunks()).isEqualTo(4);
      assertThat(t.usage().promptTokens()).isEqualTo(12);
      assertThat(t.usage().completionTokens()).isEqualTo(4);
      assertThat(t.timeToHeaders()).isEqualTo(Duration.ZERO);
      assertThat(t.timeToFirstChunk()).isEqualTo(Duration.ofMillis(350));
      assertThat(t.duration()).isEqualTo(Duration.ofMillis(550));
      assertThat(t.cancelLatency()).isNull();
      // 20 chunks/s from the first chunk on; the 350 ms wait does not dilute it
      assertThat(t.chunksPerSecond()).isEqualTo(20.0);
      assertThat(t.toString()).doesNotContain("one two").contains("outcome=completed");
    }
  }

  @Test
  void aStopIsReportedAsCancelRequestedThenCancelledWithItsLatency() {
    VirtualScheduler clock = new VirtualScheduler();
    Recorder rec = new Recorder(clock);
    ResponseScript stalls = paced("one two three four").toBuilder().stallAfter(3).build();
    try (FakeGroqServer server = FakeGroqServer.builder().scheduler(clock).always(stalls).build().start();
        GroqProvider p = provider(server, clock, rec)) {
      CancellationToken stop = CancellationToken.create();
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("hi"), stop).subscribe(sub);
      server.awaitRequests(1, WAIT);
      step(clock, sub, 1);
      step(clock, sub, 2);
      step(clock, sub, 3); // "one two", then the server stalls
      stop.cancel();
      sub.awaitTerminal(WAIT);

      assertThat(rec.calls).containsExactly(
          "sent@0", "headers@0", "first 350@350", "chunk 50@400", "cancel@400", "end cancelled@400");
      StreamTrace t = rec.ended.get();
      assertThat(t.finalState()).isEqualTo(StreamState.CANCELLED);
      assertThat(t.cancelLatency()).isEqualTo(Duration.ZERO); // nothing moves the virtual clock in between
      assertThat(t.duration()).isEqualTo(Duration.ofMillis(400));
      stop.cancel(); // a second stop reports nothing more
      assertThat(rec.calls).hasSize(6);
    }
  }

  @Test
  void aFailureReportsItsKindAndRetriesCountAsAttempts() {
    VirtualScheduler clock = new VirtualScheduler();
    Recorder rec = new Recorder(clock);
    try (FakeGroqServer server = FakeGroqServer.builder().scheduler(clock)
            .enqueue(ResponseScript.httpError(503))
            .enqueue(ResponseScript.httpError(401))
            .build().start();
        GroqProvider p = provider(server, clock, rec)) {
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      p.stream(ChatRequest.ofUser("hi")).subscribe(sub);
      server.awaitRequests(1, WAIT);
      clock.runDue(); // the 503
      clock.advance(awaitRetryTimer(clock));
      server.awaitRequests(2, WAIT);
      clock.runDue(); // the 401
      sub.awaitTerminal(WAIT);
      StreamTrace t = rec.ended.get();
      assertThat(t.outcome()).isEqualTo("failed");
      assertThat(t.errorKind()).isEqualTo(ErrorKind.AUTHENTICATION);
      assertThat(t.error()).isInstanceOf(StreamException.class).hasMessageNotContaining("Bearer");
      assertThat(t.retries()).isEqualTo(1);
      assertThat(t.attempts()).isEqualTo(2);
      assertThat(t.timeToFirstChunk()).isNull();
      assertThat(rec.calls.get(rec.calls.size() - 1)).startsWith("end failed");
    }
  }

  @Test
  void aListenerThatThrowsDoesNotDisturbTheStream() {
    VirtualScheduler clock = new VirtualScheduler();
    StreamListener broken = new StreamListener() {
      @Override
      public void onFirstChunk(StreamTrace trace) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onEnd(StreamTrace trace) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (FakeGroqServer server = FakeGroqServer.builder().always(ResponseScript.text("fine answer")).build().start();
        GroqProvider p = provider(server, clock, broken)) {
      TokenStream stream = p.stream(ChatRequest.ofUser("hi"));
      assertThat(stream.collect().join().text()).isEqualTo("fine answer");
      assertThat(stream.state()).isEqualTo(StreamState.COMPLETED);
    }
  }
}
