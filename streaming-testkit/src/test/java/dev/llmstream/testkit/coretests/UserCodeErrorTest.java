package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiConnection;
import dev.llmstream.core.internal.StreamBufferImpl;
import dev.llmstream.testkit.RecordingSink;
import dev.llmstream.testkit.TestSubscriber;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An {@link Error} (not only a RuntimeException) thrown by any user code — a state listener, a metrics
 * listener, a subscriber, a UI sink — cannot hang a stream: the stream still ends with exactly one
 * terminal signal and later signals are still processed.
 */
class UserCodeErrorTest {

  private static List<StreamEvent> answer() {
    return List.of(
        new StreamEvent.Waiting("req_1"),
        new StreamEvent.TextDelta("a"),
        new StreamEvent.TextDelta("b"),
        StreamEvent.Finish.of(FinishReason.STOP));
  }

  @Test
  void aStateListenerThrowingAnErrorDoesNotHangTheStream() throws Exception {
    TokenStream stream = TokenStream.of(answer());
    AtomicInteger calls = new AtomicInteger();
    stream.onStateChange(
        (from, to) -> {
          calls.incrementAndGet();
          throw new AssertionError("listener bug on " + from + " -> " + to);
        });
    ChatResponse response = stream.collect().get(10, TimeUnit.SECONDS);
    assertThat(response.text()).isEqualTo("ab");
    assertThat(stream.state()).isEqualTo(StreamState.COMPLETED);
    assertThat(calls).as("every transition still notified").hasValue(3);
  }

  @Test
  void aSubscriberThrowingAnErrorFromOnNextEndsTheStreamAndLaterSignalsStillRun() {
    TokenStream stream = TokenStream.of(answer());
    TestSubscriber<StreamEvent> sub =
        TestSubscriber.<StreamEvent>withInitialRequest(1)
            .doOnNext(
                (s, e) -> {
                  throw new StackOverflowError("deep recursion in user code");
                });
    stream.subscribe(sub);
    assertThat(stream.state()).isEqualTo(StreamState.FAILED);
    sub.request(5); // must return: the drain is not wedged, and nothing more is sent
    sub.cancel();
    assertThat(sub.values()).hasSize(1);
    assertThat(sub.isTerminated()).isFalse(); // rule 2.13: a throwing subscriber is cancelled, not signalled
    assertThat(sub.violations()).isEmpty();
  }

  @Test
  void aSubscriberThrowingAnErrorFromOnSubscribeOrOnCompleteDoesNotHangTheStream() {
    TokenStream first = TokenStream.of(answer());
    first.subscribe(
        new Flow.Subscriber<StreamEvent>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            throw new AssertionError("onSubscribe bug");
          }

          @Override
          public void onNext(StreamEvent item) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
    assertThat(first.state()).isEqualTo(StreamState.CANCELLED);

    TokenStream second = TokenStream.of(answer());
    AtomicInteger completes = new AtomicInteger();
    Flow.Subscription[] subscription = new Flow.Subscription[1];
    second.subscribe(
        new Flow.Subscriber<StreamEvent>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription[0] = s;
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(StreamEvent item) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {
            completes.incrementAndGet();
            throw new AssertionError("onComplete bug");
          }
        });
    assertThat(second.state()).isEqualTo(StreamState.COMPLETED);
    subscription[0].request(1);
    subscription[0].cancel();
    assertThat(completes).hasValue(1);
  }

  @Test
  void aBufferSubscriberThrowingAnErrorCancelsTheUpstream() {
    ScriptedUpstream upstream = new ScriptedUpstream();
    StreamBufferImpl buffer = new StreamBufferImpl(UiConfig.defaults());
    TestSubscriber<StreamEvent> sub =
        TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE)
            .doOnNext(
                (s, e) -> {
                  throw new AssertionError("subscriber bug");
                });
    buffer.subscribe(sub);
    upstream.subscribe(buffer);
    upstream.push(new StreamEvent.Waiting("r"));
    assertThat(upstream.cancelled).isTrue();
    sub.request(1); // returns: the buffer's drain is not wedged
    assertThat(sub.values()).hasSize(1);
    assertThat(sub.isTerminated()).isFalse();
  }

  @Test
  void aSinkThrowingAnErrorGetsOneOnFailedAndTheConnectionEnds() {
    RecordingSink sink =
        new RecordingSink() {
          @Override
          public void onText(CharSequence batch, CharSequence fullText) {
            super.onText(batch, fullText);
            throw new AssertionError("sink bug");
          }
        };
    UiConnection c = UiConnection.connect(TokenStream.of(answer()), sink, Runnable::run);
    assertThat(sink.terminalCalls()).isEqualTo(1);
    assertThat(sink.failure()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CALLER).hasCauseInstanceOf(AssertionError.class);
    assertThat(sink.violations()).isEmpty();
    assertThatThrownBy(() -> c.done().get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CALLER);
  }
}
