package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.TokenStream;
import dev.llmstream.testkit.TestSubscriber;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancellationTokenTest {

  @Test
  void cancelIsIdempotentAndOnlyTheFirstCallReturnsTrue() {
    CancellationToken token = CancellationToken.create();
    assertThat(token.isCancelled()).isFalse();
    assertThat(token.cancel()).isTrue();
    assertThat(token.cancel()).isFalse();
    assertThat(token.isCancelled()).isTrue();
    assertThat(token.toString()).contains("cancelled=true");
  }

  @Test
  void listenersRunOnceInRegistrationOrderAndAThrowingOneDoesNotStopOthers() {
    CancellationToken token = CancellationToken.create();
    List<String> runs = new ArrayList<>();
    token.onCancel(() -> runs.add("a"));
    token.onCancel(
        () -> {
          throw new IllegalStateException("listener bug");
        });
    token.onCancel(() -> runs.add("c"));
    token.cancel();
    token.cancel();
    assertThat(runs).containsExactly("a", "c");
  }

  @Test
  void registrationOrderHoldsAcrossRemovalsAndAListenerRegisteredTwiceRunsOnce() {
    CancellationToken token = CancellationToken.create();
    List<String> runs = new ArrayList<>();
    Runnable a = () -> runs.add("a");
    Runnable removeA = token.onCancel(a);
    token.onCancel(() -> runs.add("b"));
    removeA.run(); // the first listener leaves while a later one stays
    token.onCancel(() -> runs.add("c"));
    token.onCancel(a);
    Runnable d = () -> runs.add("d");
    token.onCancel(d);
    token.onCancel(d);
    token.cancel();
    assertThat(runs).containsExactly("b", "c", "a", "d");
  }

  @Test
  void aSingleListenerRegisteredTwiceRunsOnce() {
    CancellationToken token = CancellationToken.create();
    AtomicInteger runs = new AtomicInteger();
    Runnable r = runs::incrementAndGet;
    token.onCancel(r);
    token.onCancel(r);
    token.cancel();
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void aListenerAddedAfterCancelRunsAtOnce() {
    CancellationToken token = CancellationToken.create();
    token.cancel();
    AtomicInteger runs = new AtomicInteger();
    token.onCancel(runs::incrementAndGet).run();
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void runningTheReturnedDeregistrationRemovesTheListenerAndIsIdempotent() {
    CancellationToken token = CancellationToken.create();
    AtomicInteger runs = new AtomicInteger();
    Runnable deregister = token.onCancel(runs::incrementAndGet);
    deregister.run();
    deregister.run();
    token.cancel();
    assertThat(runs.get()).isZero();
  }

  @Test
  void nullListenerIsRejectedByName() {
    assertThatThrownBy(() -> CancellationToken.create().onCancel(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listener");
  }

  @Test
  void concurrentCancelsRunEachListenerExactlyOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 2_000; round++) {
        CancellationToken token = CancellationToken.create();
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger winners = new AtomicInteger();
        token.onCancel(runs::incrementAndGet);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          futures.add(
              pool.submit(
                  () -> {
                    go.await();
                    if (token.cancel()) {
                      winners.incrementAndGet();
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> f : futures) {
          f.get(10, TimeUnit.SECONDS);
        }
        assertThat(runs.get()).isEqualTo(1);
        assertThat(winners.get()).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void oneTokenStopsManyStreamsAndStreamsUnregisterWhenTheyEnd() throws Exception {
    CancellationToken token = CancellationToken.create();
    TokenStream finished = TokenStream.of(List.of(new StreamEvent.TextDelta("done")), token);
    assertThat(finished.collect().get(10, TimeUnit.SECONDS).text()).isEqualTo("done");

    GeneratingSource a = GeneratingSource.sync(Long.MAX_VALUE);
    GeneratingSource b = GeneratingSource.sync(Long.MAX_VALUE);
    TestSubscriber<StreamEvent> subA = TestSubscriber.<StreamEvent>withInitialRequest(3);
    TestSubscriber<StreamEvent> subB = TestSubscriber.<StreamEvent>withInitialRequest(3);
    TokenStream sa = TokenStream.create(a, token);
    TokenStream sb = TokenStream.create(b, token);
    sa.subscribe(subA);
    sb.subscribe(subB);
    token.cancel();
    subA.request(1);
    subB.request(1);
    assertThat(sa.state()).isEqualTo(StreamState.CANCELLED);
    assertThat(sb.state()).isEqualTo(StreamState.CANCELLED);
    assertThat(finished.state()).isEqualTo(StreamState.COMPLETED);
    assertThat(a.cancels.get()).isEqualTo(1);
    assertThat(b.cancels.get()).isEqualTo(1);
  }
}
