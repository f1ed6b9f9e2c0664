package dev.llmstream.testkit;

import static dev.llmstream.testkit.StreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.RateLimitException;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.Usage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** TestSubscriber records and checks; the assertions pass on good streams and fail on bad ones. */
class TestSubscriberTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final List<StreamEvent> ANSWER = List.of(
      new StreamEvent.Waiting("req_1"),
      new StreamEvent.ReasoningDelta("think"),
      new StreamEvent.TextDelta("Hel"),
      new StreamEvent.TextDelta("lo"),
      new StreamEvent.ToolCallDelta(0, "c1", "weather", "{}"),
      new StreamEvent.Finish(FinishReason.STOP, null, Usage.of(3, 2, 5)));

  @Test
  void doOnNextCanCancelAndNothingArrivesAfterIt() {
    TestSubscriber<StreamEvent> sub = TestSubscriber.<StreamEvent>create()
        .doOnNext((self, e) -> {
          if (e instanceof StreamEvent.TextDelta) {
            self.cancel();
          }
        });
    TokenStream.of(ANSWER).subscribe(sub);
    sub.awaitCount(3, WAIT); // a cancelled stream owes no terminal signal
    assertThat(sub.isCancelled()).isTrue();
    assertThat(sub.values()).hasSize(3).last().isEqualTo(new StreamEvent.TextDelta("Hel"));
    assertThat(sub.valuesAfterCancel()).isZero();
    sub.assertNoViolations();
  }

  @Test
  void valuesAfterCancelCountsWhatARudePublisherSendsAnyway() {
    TestSubscriber<String> sub = TestSubscriber.create();
    Flow.Publisher<String> rude = s -> {
      s.onSubscribe(new Flow.Subscription() {
        @Override public void request(long n) {}
        @Override public void cancel() {}
      });
      s.onNext("a");
    };
    rude.subscribe(sub);
    sub.cancel();
    sub.onNext("late");
    assertThat(sub.valuesAfterCancel()).isEqualTo(1);
  }

  @Test
  void timedByStampsEachElementWithTheClock() {
    VirtualScheduler clock = new VirtualScheduler();
    TestSubscriber<String> sub = TestSubscriber.<String>create().timedBy(clock::nanoTime);
    Flow.Publisher<String> ticking = s -> s.onSubscribe(new Flow.Subscription() {
      @Override public void request(long n) {
        clock.schedule(Duration.ofMillis(5), () -> s.onNext("first"));
        clock.schedule(Duration.ofMillis(12), () -> s.onNext("second"));
      }
      @Override public void cancel() {}
    });
    ticking.subscribe(sub);
    clock.advance(Duration.ofMillis(20));
    assertThat(sub.values()).containsExactly("first", "second");
    assertThat(sub.times()).containsExactly(5_000_000L, 12_000_000L);
  }

  @Test
  void awaitErrorReturnsTheErrorAndFailsOnCompletion() {
    StreamException boom = new StreamException(ErrorKind.PROTOCOL, "bad chunk", 200, null, null);
    TestSubscriber<StreamEvent> failed = TestSubscriber.create();
    TokenStream.failing(List.of(), boom).subscribe(failed);
    assertThat(failed.awaitError(WAIT)).isSameAs(boom);
    TestSubscriber<StreamEvent> completed = TestSubscriber.create();
    TokenStream.of(ANSWER).subscribe(completed);
    assertThatThrownBy(() -> completed.awaitError(WAIT)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("completed");
  }

  @Test
  void recordsACompletedStreamAndAssertsOnIt() {
    TestSubscriber<StreamEvent> sub = TestSubscriber.create();
    TokenStream.of(ANSWER).subscribe(sub);
    sub.awaitTerminal(WAIT).assertNoViolations();
    assertThat(sub.values()).isEqualTo(ANSWER);
    assertThat(sub.isCompleted()).isTrue();
    assertThat(sub.errors()).isEmpty();
    assertThat(sub)
        .completed()
        .completedWith(FinishReason.STOP)
        .hasText("Hello")
        .hasReasoning("think")
        .hasToolCall(0, "weather", "{}")
        .eventsInOrder(new StreamEvent.TextDelta("Hel"), new StreamEvent.Finish(FinishReason.STOP, null, Usage.of(3, 2, 5)))
        .eventTypesInOrder(StreamEvent.Waiting.class, StreamEvent.ReasoningDelta.class, StreamEvent.TextDelta.class,
            StreamEvent.ToolCallDelta.class, StreamEvent.Finish.class)
        .noSignalAfterTerminal()
        .hasNoViolations();
  }

  @Test
  void assertionsFailWithUsefulMessages() {
    TestSubscriber<StreamEvent> sub = TestSubscriber.create();
    TokenStream.of(ANSWER).subscribe(sub);
    sub.awaitTerminal(WAIT);
    assertThatThrownBy(() -> assertThat(sub).hasText("Bye")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("Hello");
    assertThatThrownBy(() -> assertThat(sub).cancelled()).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> assertThat(sub).failedWith(StreamException.class)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("completed");
    assertThatThrownBy(() -> assertThat(sub).eventsInOrder(StreamEvent.Finish.of(FinishReason.STOP),
        new StreamEvent.TextDelta("Hel"))).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> assertThat(sub).eventTypesInOrder(StreamEvent.TextDelta.class))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void failedStreamHandsBackPartialText() {
    RateLimitException error = new RateLimitException("slow down", 429, "req_2", null);
    assertThat(TokenStream.failing(List.of(new StreamEvent.TextDelta("par"), new StreamEvent.TextDelta("tial")), error))
        .failedWith(RateLimitException.class)
        .failedWith(ErrorKind.RATE_LIMITED)
        .hasPartialText("partial")
        .hasText("partial");
    assertThatThrownBy(() -> assertThat(TokenStream.failing(List.of(new StreamEvent.TextDelta("x")),
        new StreamException(ErrorKind.PROTOCOL, "bad", -1, null, null))).hasPartialText("y"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("x");
  }

  @Test
  void cancelledStreamEndsWithFinishCancelled() {
    assertThat(TokenStream.of(List.of(new StreamEvent.TextDelta("a"), StreamEvent.Finish.of(FinishReason.CANCELLED))))
        .cancelled()
        .hasText("a");
  }

  @Test
  void requestAndCancelControlDemand() {
    TestSubscriber<StreamEvent> sub = TestSubscriber.withInitialRequest(0);
    TokenStream.of(ANSWER).subscribe(sub);
    assertThat(sub.values()).isEmpty();
    sub.request(2).awaitCount(2, WAIT);
    assertThat(sub.values()).hasSize(2);
    sub.cancel();
    assertThat(sub.isCancelled()).isTrue();
    sub.request(10);
    assertThat(sub.values()).hasSize(2);
    assertThat(sub.isTerminated()).isFalse();
    sub.assertNoViolations();
    assertThatThrownBy(() -> sub.awaitTerminal(Duration.ofMillis(50))).isInstanceOf(AssertionError.class)
        .hasMessageContaining("timed out");
  }

  @Test
  void awaitCountFailsWhenTheStreamEndsShort() {
    TestSubscriber<StreamEvent> sub = TestSubscriber.create();
    TokenStream.of(List.of(StreamEvent.Finish.of(FinishReason.STOP))).subscribe(sub);
    assertThatThrownBy(() -> sub.awaitCount(3, WAIT)).hasMessageContaining("ended after 1");
  }

  @Test
  void recordsViolationsOfABadPublisher() {
    TestSubscriber<String> sub = TestSubscriber.withInitialRequest(1);
    Flow.Publisher<String> bad = s -> {
      s.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      });
      s.onNext("ok");
      s.onNext("beyond demand");
      s.onComplete();
      s.onNext("after terminal");
      s.onError(new IllegalStateException("second terminal"));
    };
    bad.subscribe(sub);
    assertThat(sub.violations()).hasSize(3)
        .anySatisfy(v -> assertThat(v).contains("beyond demand"))
        .anySatisfy(v -> assertThat(v).contains("after terminal"))
        .anySatisfy(v -> assertThat(v).contains("second terminal"));
    assertThatThrownBy(sub::assertNoViolations).isInstanceOf(AssertionError.class);
    @SuppressWarnings("unchecked")
    TestSubscriber<StreamEvent> asEvents = (TestSubscriber<StreamEvent>) (TestSubscriber<?>) sub;
    assertThatThrownBy(() -> StreamAssertions.assertThat(asEvents).noSignalAfterTerminal())
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void recordsConcurrentSignals() throws Exception {
    TestSubscriber<String> sub = TestSubscriber.create();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Flow.Publisher<String> racy = s -> {
      s.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      });
    };
    racy.subscribe(sub);
    // A subscriber that blocks inside onNext is simulated by calling onNext from two threads while the
    // first is held inside a wrapped item's toString-free path: use a slow equals-free approach instead,
    // by holding the first thread in the signal via a custom thread and a latch-checking item list.
    Thread t1 = new Thread(() -> {
      inside.countDown();
      for (int i = 0; i < 200_000 && release.getCount() > 0; i++) {
        sub.onNext("a" + i);
      }
    });
    t1.start();
    assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 200_000 && sub.violations().stream().noneMatch(v -> v.contains("concurrent")); i++) {
      sub.onNext("b" + i);
    }
    release.countDown();
    t1.join(10_000);
    assertThat(sub.violations()).anySatisfy(v -> assertThat(v).contains("concurrent signals"));
  }
}
