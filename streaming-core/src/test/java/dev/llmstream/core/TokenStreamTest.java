package dev.llmstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.internal.TokenStreamImpl;
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
    RecordingSubscriber sub = new RecordingSubscriber(0);
    stream.subscribe(sub);
    assertThat(sub.events).isEmpty();
    assertThat(source.pulls.get()).isZero();

    sub.subscription.request(3);
    CompletableFuture.runAsync(() -> {}, pool).get(); // let the pool run the pull
    awaitCount(sub, 3);
    // The source's batch of 7 stays queued: no more than requested reaches the subscriber.
    assertThat(sub.events).hasSize(3);
    assertThat(source.pulls.get()).isEqualTo(1);

    sub.subscription.request(Long.MAX_VALUE);
    sub.awaitTerminal();
    assertThat(sub.events).hasSize(100);
    assertThat(sub.completed).isTrue();
    assertThat(source.overlappingPulls.get()).isZero();
    assertThat(sub.violations).isEmpty();
    assertThat(stream.state()).isEqualTo(StreamState.COMPLETED);
  }

  @Test
  void secondSubscriberGetsAClearError() throws Exception {
    TokenStream stream = TokenStream.of(answer("a"));
    RecordingSubscriber first = new RecordingSubscriber(Long.MAX_VALUE);
    stream.subscribe(first);
    RecordingSubscriber second = new RecordingSubscriber(Long.MAX_VALUE);
    stream.subscribe(second);
    second.awaitTerminal();
    assertThat(second.error)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("single-use");
    assertThat(first.completed).isTrue();
    assertThat(first.text()).isEqualTo("a");
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
    RecordingSubscriber sub =
        new RecordingSubscriber(Long.MAX_VALUE)
            .onEvent(
                (s, e) -> {
                  if (s.events.size() == 5) {
                    token.cancel();
                  }
                });
    stream.subscribe(sub);
    sub.awaitTerminal();

    assertThat(sub.completed).isTrue();
    assertThat(sub.events).hasSize(6);
    assertThat(sub.events.get(5)).isEqualTo(StreamEvent.Finish.of(FinishReason.CANCELLED));
    assertThat(source.cancels.get()).isEqualTo(1);
    assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
    ChatResponse partial = stream.partial();
    assertThat(partial.text()).isEqualTo("t0t1t2t3t4");
    assertThat(partial.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(sub.violations).isEmpty();
  }

  @Test
  void tokenCancelWithoutDemandWaitsForRequestBeforeTheCancelledFinish() throws Exception {
    CancellationToken token = CancellationToken.create();
    GeneratingSource source = GeneratingSource.sync(10);
    TokenStream stream = TokenStream.create(source, token);
    RecordingSubscriber sub = new RecordingSubscriber(2);
    stream.subscribe(sub);
    assertThat(sub.events).hasSize(2);
    token.cancel();
    assertThat(source.cancels.get()).isEqualTo(1);
    assertThat(sub.terminals.get()).isZero();
    sub.subscription.request(1);
    assertThat(sub.events).hasSize(3).last().isEqualTo(StreamEvent.Finish.of(FinishReason.CANCELLED));
    assertThat(sub.completed).isTrue();
  }

  @Test
  void tokenCancelledBeforeSubscribeNeverStartsTheSource() throws Exception {
    CancellationToken token = CancellationToken.create();
    token.cancel();
    GeneratingSource source = GeneratingSource.sync(10);
    TokenStream stream = TokenStream.create(source, token);
    RecordingSubscriber sub = new RecordingSubscriber(Long.MAX_VALUE);
    stream.subscribe(sub);
    sub.awaitTerminal();
    assertThat(source.starts.get()).isZero();
    assertThat(sub.events).containsExactly(StreamEvent.Finish.of(FinishReason.CANCELLED));
    assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
  }

  @Test
  void subscriptionCancelStopsDeliveryAndReleasesTheSourceOnce() {
    GeneratingSource source = GeneratingSource.sync(1_000);
    TokenStream stream = TokenStream.create(source, CancellationToken.create());
    RecordingSubscriber sub =
        new RecordingSubscriber(Long.MAX_VALUE)
            .onEvent(
                (s, e) -> {
                  if (s.events.size() == 3) {
                    s.subscription.cancel();
                    s.subscription.cancel();
                  }
                });
    stream.subscribe(sub);
    assertThat(sub.events).hasSize(3);
    assertThat(sub.terminals.get()).isZero();
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
    RecordingSubscriber sub = new RecordingSubscriber(Long.MAX_VALUE);
    stream.subscribe(sub);
    sub.awaitTerminal();
    assertThat(sub.error).isSameAs(boom);
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
    RecordingSubscriber sub = new RecordingSubscriber(1);
    TokenStream.create(broken, CancellationToken.create()).subscribe(sub);
    sub.awaitTerminal();
    assertThat(sub.error).isInstanceOf(StreamException.class).hasMessageContaining("bug in source");
    assertThat(((StreamException) sub.error).kind()).isEqualTo(ErrorKind.UNKNOWN);
    assertThat(sub.error.getCause()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void nonPositiveRequestFailsTheStreamWithIllegalArgument() throws Exception {
    GeneratingSource source = GeneratingSource.sync(10);
    RecordingSubscriber sub = new RecordingSubscriber(0);
    TokenStream.create(source, CancellationToken.create()).subscribe(sub);
    sub.subscription.request(0);
    sub.awaitTerminal();
    assertThat(sub.error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
    assertThat(source.cancels.get()).isEqualTo(1);
  }

  @Test
  void aThrowingSubscriberCancelsTheSourceAndFailsTheStream() {
    GeneratingSource source = GeneratingSource.sync(10);
    TokenStream stream = TokenStream.create(source, CancellationToken.create());
    RecordingSubscriber sub =
        new RecordingSubscriber(Long.MAX_VALUE)
            .onEvent(
                (s, e) -> {
                  throw new IllegalStateException("sink bug");
                });
    stream.subscribe(sub);
    assertThat(sub.events).hasSize(1);
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
            for (int i = 0; i < TokenStreamImpl.MAX_QUEUED + 10; i++) {
              emitter.next(new StreamEvent.TextDelta("x"));
            }
          }

          @Override
          public void pull() {}

          @Override
          public void cancel() {}
        };
    RecordingSubscriber sub = new RecordingSubscriber(0);
    TokenStream.create(flood, CancellationToken.create()).subscribe(sub);
    sub.subscription.request(Long.MAX_VALUE);
    sub.awaitTerminal();
    assertThat(sub.error).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.LIMIT_EXCEEDED);
    assertThat(sub.events).hasSize(TokenStreamImpl.MAX_QUEUED);
  }

  private static void awaitCount(RecordingSubscriber sub, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sub.events.size() < n && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(sub.events.size()).isGreaterThanOrEqualTo(n);
  }
}
