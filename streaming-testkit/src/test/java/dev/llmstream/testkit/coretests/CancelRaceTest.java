package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.TokenStream;
import dev.llmstream.testkit.TestSubscriber;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Races cancellation against a fast producer on another thread, 10,000 times per kind of cancel, and
 * checks the Reactive Streams guarantees each time: serial signals, at most one terminal signal, nothing
 * after it, nothing after a cancel (beyond the one onNext that may already be in flight on the producer
 * thread when cancel() is called from another thread), and a terminal state that matches the signals.
 */
class CancelRaceTest {
  private static final int ROUNDS = 10_000;
  private static ExecutorService producer;
  private static ExecutorService canceller;

  @BeforeAll
  static void start() {
    producer = Executors.newSingleThreadExecutor();
    canceller = Executors.newSingleThreadExecutor();
  }

  @AfterAll
  static void stop() {
    producer.shutdownNow();
    canceller.shutdownNow();
  }

  @Test
  void subscriptionCancelFromAnotherThreadStopsDelivery() throws Exception {
    int afterCancel = 0;
    for (int round = 0; round < ROUNDS; round++) {
      GeneratingSource source = new GeneratingSource(64, 4, producer);
      TokenStream stream = TokenStream.create(source, CancellationToken.create());
      AtomicBoolean cancelReturned = new AtomicBoolean();
      AtomicInteger nextAfterCancel = new AtomicInteger();
      TestSubscriber<StreamEvent> sub =
          TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE)
              .doOnNext(
                  (s, e) -> {
                    if (cancelReturned.get()) {
                      nextAfterCancel.incrementAndGet();
                    }
                  });
      stream.subscribe(sub);
      int spin = ThreadLocalRandom.current().nextInt(200);
      CountDownLatch cancelled = new CountDownLatch(1);
      canceller.execute(
          () -> {
            for (int i = 0; i < spin; i++) {
              Thread.onSpinWait();
            }
            sub.cancel();
            cancelReturned.set(true);
            cancelled.countDown();
          });
      assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
      drainProducer();
      assertThat(sub.violations()).as("round %d", round).isEmpty();
      // At most the one onNext already in flight when cancel() ran; none after it.
      assertThat(nextAfterCancel.get()).as("round %d", round).isLessThanOrEqualTo(1);
      afterCancel += nextAfterCancel.get();
      StreamState end = stream.state();
      if (sub.isCompleted()) {
        assertThat(end).isEqualTo(StreamState.COMPLETED);
        assertThat(sub.values()).hasSize(64);
      } else {
        assertThat(end).isEqualTo(StreamState.CANCELLED);
        assertThat(sub.isTerminated()).isFalse();
        // The source is released once, unless it had already finished producing.
        assertThat(source.cancels.get()).isLessThanOrEqualTo(1);
      }
      int delivered = sub.values().size();
      drainProducer();
      assertThat(sub.values()).as("nothing arrives once cancel settled").hasSize(delivered);
    }
    assertThat(afterCancel).isLessThanOrEqualTo(ROUNDS);
  }

  @Test
  void tokenCancelRacesCompletionAndEndsInExactlyOneConsistentState() throws Exception {
    int cancelledRounds = 0;
    for (int round = 0; round < ROUNDS; round++) {
      GeneratingSource source = new GeneratingSource(32, 8, producer);
      CancellationToken token = CancellationToken.create();
      TokenStream stream = TokenStream.create(source, token);
      TestSubscriber<StreamEvent> sub = TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE);
      stream.subscribe(sub);
      int spin = ThreadLocalRandom.current().nextInt(300);
      canceller.execute(
          () -> {
            for (int i = 0; i < spin; i++) {
              Thread.onSpinWait();
            }
            token.cancel();
          });
      sub.awaitTerminal(Events.WAIT);
      drainProducer();
      assertThat(sub.violations()).as("round %d", round).isEmpty();
      assertThat(sub.isTerminated()).isTrue();
      assertThat(sub.isCompleted()).isTrue();
      StreamEvent last = sub.values().get(sub.values().size() - 1);
      if (stream.state() == StreamState.CANCELLED) {
        cancelledRounds++;
        assertThat(last).isEqualTo(StreamEvent.Finish.of(FinishReason.CANCELLED));
        assertThat(stream.partial().finishReason()).isEqualTo(FinishReason.CANCELLED);
        // Exactly one cancelled finish, and it is the last event.
        assertThat(sub.values().stream().filter(e -> e instanceof StreamEvent.Finish)).hasSize(1);
      } else {
        assertThat(stream.state()).isEqualTo(StreamState.COMPLETED);
        assertThat(sub.values()).hasSize(32);
      }
      assertThat(stream.partial().text()).isEqualTo(Events.text(sub));
    }
    // The race must really have been a race: both outcomes occur.
    assertThat(cancelledRounds).isBetween(1, ROUNDS - 1);
  }

  @Test
  void cancelFromInsideOnNextIsStrict() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      GeneratingSource source = new GeneratingSource(1_000, 16, producer);
      TokenStream stream = TokenStream.create(source, CancellationToken.create());
      int cancelAt = 1 + ThreadLocalRandom.current().nextInt(50);
      AtomicInteger afterCancel = new AtomicInteger();
      AtomicBoolean cancelledFlag = new AtomicBoolean();
      TestSubscriber<StreamEvent> sub =
          TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE)
              .doOnNext(
                  (s, e) -> {
                    if (cancelledFlag.get()) {
                      afterCancel.incrementAndGet();
                    }
                    if (s.values().size() == cancelAt) {
                      s.cancel();
                      cancelledFlag.set(true);
                    }
                  });
      stream.subscribe(sub);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!cancelledFlag.get() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      drainProducer();
      assertThat(afterCancel.get()).as("round %d", round).isZero();
      assertThat(sub.values()).hasSize(cancelAt);
      assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
    }
  }

  /** Waits until the producer thread has run everything queued before now. */
  private static void drainProducer() throws Exception {
    producer.submit(() -> {}).get(10, TimeUnit.SECONDS);
    producer.submit(() -> {}).get(10, TimeUnit.SECONDS);
  }
}
