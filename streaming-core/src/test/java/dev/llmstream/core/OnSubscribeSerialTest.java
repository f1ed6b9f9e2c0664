package dev.llmstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Reactive Streams rule 1.3: a source that emits from another thread as soon as it is started must not
 * reach {@code onNext} while {@code onSubscribe} (which requested) is still running. Found by the TCK's
 * {@code stochastic_spec103} against the Groq provider.
 */
class OnSubscribeSerialTest {

  @Test
  void noOnNextBeforeOnSubscribeReturns() throws Exception {
    CountDownLatch emitted = new CountDownLatch(1);
    StreamSource source =
        new StreamSource() {
          @Override
          public void start(StreamEmitter emitter) {
            Thread t =
                new Thread(
                    () -> {
                      emitter.next(new StreamEvent.TextDelta("x"));
                      emitter.complete();
                      emitted.countDown();
                    });
            t.start();
          }

          @Override
          public void pull() {}

          @Override
          public void cancel() {}
        };
    AtomicBoolean inOnSubscribe = new AtomicBoolean();
    AtomicBoolean overlap = new AtomicBoolean();
    AtomicBoolean startedEarly = new AtomicBoolean();
    CompletableFuture<String> received = new CompletableFuture<>();
    TokenStream.create(source, CancellationToken.create())
        .subscribe(
            new Flow.Subscriber<StreamEvent>() {
              @Override
              public void onSubscribe(Flow.Subscription s) {
                inOnSubscribe.set(true);
                s.request(10);
                try {
                  // give a source started too early the chance to emit now (before the fix it did);
                  // with the fix the source only starts after onSubscribe returns
                  boolean early = emitted.await(300, TimeUnit.MILLISECONDS);
                  startedEarly.set(early);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                inOnSubscribe.set(false);
              }

              @Override
              public void onNext(StreamEvent item) {
                if (inOnSubscribe.get()) {
                  overlap.set(true);
                }
                received.complete(((StreamEvent.TextDelta) item).text());
              }

              @Override
              public void onError(Throwable t) {
                received.completeExceptionally(t);
              }

              @Override
              public void onComplete() {}
            });
    assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("x");
    assertThat(overlap).as("onNext ran concurrently with onSubscribe").isFalse();
    assertThat(startedEarly).as("the source emitted while onSubscribe was running").isFalse();
  }
}
