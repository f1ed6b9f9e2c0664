package dev.llmstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.internal.StreamBufferImpl;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Rule 3.6: after {@code cancel()}, {@code request(n)} is a no-op. The upstream feeds the buffer from
 * another thread (so the buffer's drain loop runs there) while the subscriber, which never requested
 * before, cancels and then requests: nothing may reach it.
 */
class StreamBufferCancelRaceTest {

  @Test
  void aRequestAfterCancelDeliversNothingWhileTheUpstreamIsBusy() throws Exception {
    AtomicInteger delivered = new AtomicInteger();
    for (int round = 0; round < 3_000; round++) {
      StreamBufferImpl buffer =
          new StreamBufferImpl(UiConfig.defaults().withWindow(java.time.Duration.ZERO));
      AtomicLong upstreamDemand = new AtomicLong();
      buffer.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {
          upstreamDemand.addAndGet(n);
        }

        @Override
        public void cancel() {}
      });
      Flow.Subscription[] downstream = new Flow.Subscription[1];
      buffer.subscribe(new Flow.Subscriber<StreamEvent>() {
        @Override
        public void onSubscribe(Flow.Subscription s) {
          downstream[0] = s; // requests nothing
        }

        @Override
        public void onNext(StreamEvent item) {
          delivered.incrementAndGet();
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onComplete() {}
      });
      CountDownLatch started = new CountDownLatch(1);
      Thread pump = new Thread(() -> {
        started.countDown();
        for (int i = 0; i < 200; i++) {
          if (upstreamDemand.get() > 0) {
            upstreamDemand.decrementAndGet();
            buffer.onNext(new StreamEvent.TextDelta("t" + i));
          } else {
            Thread.onSpinWait();
          }
        }
      });
      pump.start();
      started.await(10, TimeUnit.SECONDS);
      downstream[0].cancel();
      downstream[0].request(1);
      pump.join(10_000);
    }
    assertThat(delivered).as("events delivered to a subscriber that only requested after cancelling").hasValue(0);
  }
}
