package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.TokenStream;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link CancellationToken#cancelAfter}: a deadline on the injected clock ends the answer as TIMEOUT. */
class CancelAfterTest {

  @Test
  void deadlineFailsTheStreamWithTimeoutAndKeepsThePartialAnswer() {
    VirtualScheduler clock = new VirtualScheduler();
    CancellationToken token = CancellationToken.create();
    token.cancelAfter(Duration.ofSeconds(30), clock);
    PushSource source = new PushSource();
    TestSubscriber<StreamEvent> sub = TestSubscriber.withInitialRequest(Long.MAX_VALUE);
    TokenStream.create(source, token).subscribe(sub);
    assertThat(source.text("Hello")).isTrue();
    assertThat(source.text(", wor")).isTrue();

    clock.advance(Duration.ofSeconds(29));
    assertThat(sub.isTerminated()).isFalse();
    clock.advance(Duration.ofSeconds(1));

    assertThat(sub.isTerminated()).isTrue();
    assertThat(sub.errors()).hasSize(1);
    assertThat(sub.error()).isInstanceOf(StreamException.class);
    StreamException e = (StreamException) sub.error();
    assertThat(e.kind()).isEqualTo(ErrorKind.TIMEOUT);
    assertThat(e.getMessage()).contains("PT30S");
    assertThat(e.partial().text()).isEqualTo("Hello, wor");
    assertThat(source.cancelled).isTrue();
    assertThat(token.isCancelled()).isTrue();
    sub.assertNoViolations();
  }

  @Test
  void plainCancelStillEndsAsCancelledAndADisarmedDeadlineNeverFires() {
    VirtualScheduler clock = new VirtualScheduler();
    CancellationToken token = CancellationToken.create();
    Runnable disarm = token.cancelAfter(Duration.ofSeconds(5), clock);
    disarm.run();
    clock.advance(Duration.ofSeconds(10));
    assertThat(token.isCancelled()).isFalse();

    token.cancelAfter(Duration.ofSeconds(5), clock);
    token.cancel();
    clock.advance(Duration.ofSeconds(10));
    assertThat(token.deadlineError()).isNull();
    PushSource source = new PushSource();
    TestSubscriber<StreamEvent> sub = TestSubscriber.withInitialRequest(Long.MAX_VALUE);
    TokenStream.create(source, token).subscribe(sub);
    assertThat(sub.error()).isNull();
    assertThat(sub.isCompleted()).isTrue();
  }

  @Test
  void rejectsANonPositiveTimeout() {
    CancellationToken token = CancellationToken.create();
    assertThatThrownBy(() -> token.cancelAfter(Duration.ZERO, new VirtualScheduler()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }
}
