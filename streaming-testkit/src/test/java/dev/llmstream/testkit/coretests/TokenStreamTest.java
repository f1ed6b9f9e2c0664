package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.internal.TokenStreamImpl;
import dev.llmstream.testkit.TestSubscriber;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenStreamTest {
  private static ExecutorService pool;

  @BeforeAll
  static void startPool() {
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  private static List<StreamEvent> answer(String... pieces) {
    List<StreamEvent> events = new ArrayList<>();
    events.add(new StreamEvent.Waiting("req_1"));
    for (String p : pieces) {
      events.add(new StreamEvent.TextDelta(p));
    }
    events.add(StreamEvent.Finish.of(FinishReason.STOP));
    return events;
  }

  @Test
  void deliversNothingWithoutDemandAndExactlyWhatWasRequested() throws Exception {
    GeneratingSource source = new GeneratingSource(100, 7, pool);
    TokenStream stream = TokenStream.create(source, CancellationToken.create());
    TestSubscriber<StreamEvent> sub = TestSubscriber.<StreamEvent>withInitialRequest(0);
    stream.subscribe(sub);
    assertThat(sub.values()).isEmpty();
    assertThat(source.pulls.get()).isZero();

    sub.request(3);
    CompletableFuture.runAsync(() -> {}, pool).get(); // let the pool run the pull
    awaitCount(sub, 3);
    // The source's batch of 7 stays queued: no more than requested reaches the subscriber.
    assertThat(sub.values()).hasSize(3);
    assertThat(source.pulls.get()).isEqualTo(1);

    sub.request(Long.MAX_VALUE);
    sub.awaitTerminal(Events.WAIT);
    assertThat(sub.values()).hasSize(100);
    assertThat(sub.isCompleted()).isTrue();
    assertThat(source.overlappingPulls.get()).isZero();
    assertThat(sub.violations()).isEmpty();
    assertThat(stream.state()).isEqualTo(StreamState.COMPLETED);
  }

  @Test
  void secondSubscriberGetsAClearError() throws Exception {
    TokenStream stream = TokenStream.of(answer("a"));
    TestSubscriber<StreamEvent> first = TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE);
    stream.subscribe(first);
    TestSubscriber<StreamEvent> second = TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE);
    stream.subscribe(second);
    second.awaitTerminal(Events.WAIT);
    assertThat(second.error())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("single-use");
    assertThat(first.isCompleted()).isTrue();
    assertThat(Events.text(first)).isEqualTo("a");
  }

  @Test
  void subscribeWithNullThrowsNullPointerException() {
    TokenStream stream = TokenStream.of(answer("a"));
    assertThatThrownBy(() -> stream.subscribe(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void tokenCancelDeliversCancelledFinishCompletesAndKeepsThePartialAnswer() throws Exception {
    CancellationToken token = CancellationToken.create();
    GeneratingSource source = new GeneratingSource(Long.MAX_VALUE, 1, Runnable::run);
    TokenStream stream = TokenStream.create(source, token);
    TestSubscriber<StreamEvent> sub =
        TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE)
            .doOnNext(
                (s, e) -> {
                  if (s.values().size() == 5) {
                    token.cancel();
                  }
                });
    stream.subscribe(sub);
    sub.awaitTerminal(Events.WAIT);

    assertThat(sub.isCompleted()).isTrue();
    assertThat(sub.values()).hasSize(6);
    assertThat(sub.values().get(5)).isEqualTo(StreamEvent.Finish.of(FinishReason.CANCELLED));
    assertThat(source.cancels.get()).isEqualTo(1);
    assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
    ChatResponse partial = stream.partial();
    assertThat(partial.text()).isEqualTo("t0t1t2t3t4");
    assertThat(partial.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(sub.violations()).isEmpty();
  }

  @Test
  void tokenCancelWithoutDemandWaitsForRequestBeforeTheCancelledFinish() throws Exception {
    CancellationToken token = CancellationToken.create();
    GeneratingSource source = GeneratingSource.sync(10);
    TokenStream stream = TokenStream.create(source, token);
    TestSubscriber<StreamEvent> sub = TestSubscriber.<StreamEvent>withInitialRequest(2);
    stream.subscribe(sub);
    assertThat(sub.values()).hasSize(2);
    token.cancel();
    assertThat(source.cancels.get()).isEqualTo(1);
    assertThat(sub.isTerminated()).isFalse();
    sub.request(1);
    assertThat(sub.values()).hasSize(3).last().isEqualTo(StreamEvent.Finish.of(FinishReason.CANCELLED));
    assertThat(sub.isCompleted()).isTrue();
  }

  @Test
  void tokenCancelledBeforeSubscribeNeverStartsTheSource() throws Exception {
    CancellationToken token = CancellationToken.create();
    token.cancel();
    GeneratingSource source = GeneratingSource.sync(10);
    TokenStream stream = TokenStream.create(source, token);
    TestSubscriber<StreamEvent> sub = TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE);
    stream.subscribe(sub);
    sub.awaitTerminal(Events.WAIT);
    assertThat(source.starts.get()).isZero();
    assertThat(sub.values()).containsExactly(StreamEvent.Finish.of(FinishReason.CANCELLED));
    assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
  }

  @Test
  void subscriptionCancelStopsDeliveryAndReleasesTheSourceOnce() {
    GeneratingSource source = GeneratingSource.sync(1_000);
    TokenStream stream = TokenStream.create(source, CancellationToken.create());
    TestSubscriber<StreamEvent> sub =
        TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE)
            .doOnNext(
                (s, e) -> {
                  if (s.values().size() == 3) {
                    s.cancel();
                    s.cancel();
                  }
                });
    stream.subscribe(sub);
    assertThat(sub.values()).hasSize(3);
    assertThat(sub.isTerminated()).isFalse();
    assertThat(source.cancels.get()).isEqualTo(1);
    assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
    assertThat(stream.partial().text()).isEqualTo("t0t1t2");
  }

  @Test
  void failureIsDeliveredAfterQueuedEventsWithThePartialAnswer() throws Exception {
    StreamException boom = new StreamException(ErrorKind.PROTOCOL, "bad chunk", 200, "req_9", null);
    TokenStream stream =
        TokenStream.failing(
            List.of(
                new StreamEvent.Waiting(null),
                new StreamEvent.ReasoningDelta("think"),
                new StreamEvent.TextDelta("Hel"),
                new StreamEvent.TextDelta("lo")),
            boom);
    TestSubscriber<StreamEvent> sub = TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE);
    stream.subscribe(sub);
    sub.awaitTerminal(Events.WAIT);
    assertThat(sub.error()).isSameAs(boom);
    assertThat(boom.partial().text()).isEqualTo("Hello");
    assertThat(boom.partial().reasoning()).isEqualTo("think");
    assertThat(boom.partial().finishReason()).isEqualTo(FinishReason.ERROR);
    assertThat(stream.state()).isEqualTo(StreamState.FAILED);
    assertThat(boom.toString()).contains("PROTOCOL", "status 200", "req_9", "bad chunk");
  }

  @Test
  void anUnexpectedSourceExceptionIsWrappedAsAStreamException() throws Exception {
    dev.llmstream.core.spi.StreamSource broken =
        new dev.llmstream.core.spi.StreamSource() {
          @Override
          public void start(dev.llmstream.core.spi.StreamEmitter emitter) {
            throw new IllegalStateException("bug in source");
          }

          @Override
          public void pull() {}

          @Override
          public void cancel() {}
        };
    TestSubscriber<StreamEvent> sub = TestSubscriber.<StreamEvent>withInitialRequest(1);
    TokenStream.create(broken, CancellationToken.create()).subscribe(sub);
    sub.awaitTerminal(Events.WAIT);
    assertThat(sub.error()).isInstanceOf(StreamException.class).hasMessageContaining("bug in source");
    assertThat(((StreamException) sub.error()).kind()).isEqualTo(ErrorKind.UNKNOWN);
    assertThat(sub.error().getCause()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void nonPositiveRequestFailsTheStreamWithIllegalArgument() throws Exception {
    GeneratingSource source = GeneratingSource.sync(10);
    TestSubscriber<StreamEvent> sub = TestSubscriber.<StreamEvent>withInitialRequest(0);
    TokenStream.create(source, CancellationToken.create()).subscribe(sub);
    sub.request(0);
    sub.awaitTerminal(Events.WAIT);
    assertThat(sub.error()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
    assertThat(source.cancels.get()).isEqualTo(1);
  }

  @Test
  void aThrowingSubscriberCancelsTheSourceAndFailsTheStream() {
    GeneratingSource source = GeneratingSource.sync(10);
    TokenStream stream = TokenStream.create(source, CancellationToken.create());
    TestSubscriber<StreamEvent> sub =
        TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE)
            .doOnNext(
                (s, e) -> {
                  throw new IllegalStateException("sink bug");
                });
    stream.subscribe(sub);
    assertThat(sub.values()).hasSize(1);
    assertThat(source.cancels.get()).isEqualTo(1);
    assertThat(stream.state()).isEqualTo(StreamState.FAILED);
  }

  @Test
  void stateMovesThroughTheLifeCycleAndListenersSeeEveryTransitionInOrder() throws Exception {
    TokenStream stream = TokenStream.of(answer("a", "b"));
    List<String> seen = new ArrayList<>();
    stream.onStateChange((from, to) -> seen.add(from + ">" + to));
    assertThat(stream.state()).isEqualTo(StreamState.CONNECTING);
    ChatResponse response = stream.collect().get(10, TimeUnit.SECONDS);
    assertThat(seen)
        .containsExactly(
            "CONNECTING>WAITING_FIRST_TOKEN", "WAITING_FIRST_TOKEN>STREAMING", "STREAMING>COMPLETED");
    assertThat(response.text()).isEqualTo("ab");
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @Test
  void collectCompletesExceptionallyWithThePartialAnswer() {
    StreamException boom = new StreamException(ErrorKind.SERVER, "upstream 502", 502, null, null);
    CompletableFuture<ChatResponse> f =
        TokenStream.failing(List.of(new StreamEvent.TextDelta("par")), boom).collect();
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isSameAs(boom);
    assertThat(boom.partial().text()).isEqualTo("par");
  }

  @Test
  void cancellingTheCollectFutureCancelsTheStream() {
    GeneratingSource source = new GeneratingSource(Long.MAX_VALUE, 1, pool);
    TokenStream stream = TokenStream.create(source, CancellationToken.create());
    CompletableFuture<ChatResponse> f = stream.collect();
    f.cancel(true);
    // The cancel is handled by whichever thread runs the stream's loop: possibly the pool's, a moment later.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (stream.state() != StreamState.CANCELLED && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
    assertThat(source.cancels.get()).isEqualTo(1);
  }

  @Test
  void aFloodingSourceFailsWithLimitExceededInsteadOfGrowingMemory() throws Exception {
    dev.llmstream.core.spi.StreamSource flood =
        new dev.llmstream.core.spi.StreamSource() {
          @Override
          public void start(dev.llmstream.core.spi.StreamEmitter emitter) {
            for (int i = 0; i < CoreInternals.maxQueued() + 10; i++) {
              emitter.next(new StreamEvent.TextDelta("x"));
            }
          }

          @Override
          public void pull() {}

          @Override
          public void cancel() {}
        };
    TestSubscriber<StreamEvent> sub = TestSubscriber.<StreamEvent>withInitialRequest(0);
    TokenStream.create(flood, CancellationToken.create()).subscribe(sub);
    sub.request(Long.MAX_VALUE);
    sub.awaitTerminal(Events.WAIT);
    assertThat(sub.error()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.LIMIT_EXCEEDED);
    assertThat(sub.values()).hasSize(CoreInternals.maxQueued());
  }

  private static void awaitCount(TestSubscriber<StreamEvent> sub, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sub.values().size() < n && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(sub.values().size()).isGreaterThanOrEqualTo(n);
  }
}
