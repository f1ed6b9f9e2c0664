package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConnection;
import dev.llmstream.core.Usage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RecordingSink records what a UI is shown, flags contract violations and waits on a timeout. */
class RecordingSinkTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final List<StreamEvent> ANSWER = List.of(
      new StreamEvent.Waiting("req_1"),
      new StreamEvent.TextDelta("Hel"),
      new StreamEvent.TextDelta("lo"),
      new StreamEvent.Finish(FinishReason.STOP, null, Usage.of(3, 2, 5)));

  @Test
  void recordsAWholeAnswerThroughAConnection() {
    RecordingSink sink = new RecordingSink();
    UiConnection.connect(TokenStream.of(ANSWER), sink, Runnable::run);
    ChatResponse done = sink.awaitCompleted(WAIT);
    sink.assertNoViolations();
    assertThat(done.text()).isEqualTo("Hello");
    assertThat(sink.response()).isSameAs(done);
    assertThat(sink.calls()).startsWith("start", "typing:true").endsWith("completed:Hello");
    assertThat(sink.content()).last().isEqualTo("completed:Hello");
    assertThat(String.join("", sink.textBatches())).isEqualTo("Hello");
    assertThat(sink.textCalls()).isEqualTo(sink.textBatches().size());
    assertThat(sink.shownText()).isEqualTo("Hello");
    assertThat(sink.progress()).hasSize(sink.textCalls());
    assertThat(sink.terminalCalls()).isEqualTo(1);
    assertThat(sink.isCompleted()).isTrue();
    assertThat(sink.isCancelled()).isFalse();
    assertThat(sink.failure()).isNull();
  }

  @Test
  void recoveryAndRedrawAreRecordedAndTheRedrawIsWhatIsShown() {
    RecordingSink sink = new RecordingSink();
    sink.onText("a", "a");
    sink.onRecovering(1, "connection reset");
    sink.onReplaced("A", "");
    assertThat(sink.recoveringAttempts()).containsExactly(1);
    assertThat(sink.replacedCount()).isEqualTo(1);
    assertThat(sink.shownText()).isEqualTo("A");
    assertThat(sink.content()).containsExactly("text:a", "recovering:1:connection reset", "replaced:A|");
  }

  @Test
  void aCallAfterTheTerminalOneIsAViolation() {
    RecordingSink sink = new RecordingSink();
    sink.onCompleted(ChatResponse.EMPTY);
    sink.onText("late", "late");
    sink.onCancelled(ChatResponse.EMPTY);
    assertThat(sink.violations())
        .containsExactly("call after terminal completed: text", "call after terminal completed: cancelled");
    assertThat(sink.terminalCalls()).isEqualTo(2);
    assertThatThrownBy(sink::assertNoViolations).isInstanceOf(AssertionError.class).hasMessageContaining("call after terminal completed: text");
  }

  @Test
  void aCallWhileAnotherIsInsideIsAnOverlap() throws Exception {
    RecordingSink sink = new RecordingSink();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CharSequence slowView = new CharSequence() {
      @Override public int length() {
        return 1;
      }

      @Override public char charAt(int i) {
        return 'x';
      }

      @Override public CharSequence subSequence(int s, int e) {
        return toString().subSequence(s, e);
      }

      @Override public String toString() {
        inside.countDown(); // the first thread is copying its arguments: inside the call
        try {
          release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return "x";
      }
    };
    Thread ui = new Thread(() -> sink.onText(slowView, "x"));
    ui.start();
    assertThat(inside.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    sink.onTyping(false); // a second thread calls while the first is still inside
    release.countDown();
    ui.join(WAIT.toMillis());
    assertThat(sink.violations()).containsExactly("overlapping call: typing");
    assertThat(sink.calls()).containsExactly("typing:false", "text:x");
  }

  @Test
  void overridingCodeRunsOutsideTheRecording() {
    RecordingSink sink =
        new RecordingSink() {
          @Override
          public void onText(CharSequence batch, CharSequence fullText) {
            onTyping(false);
            super.onText(batch, fullText);
          }
        };
    sink.onText("x", "x");
    assertThat(sink.violations()).isEmpty();
    assertThat(sink.calls()).containsExactly("typing:false", "text:x");
  }

  @Test
  void awaitsFailOnTheWrongEndingAndOnTimeout() {
    StreamException boom = new StreamException(ErrorKind.CONNECTION, "reset", StreamException.NO_STATUS, null, null);
    RecordingSink failed = new RecordingSink();
    UiConnection.connect(TokenStream.failing(List.of(new StreamEvent.TextDelta("a")), boom), failed, Runnable::run);
    assertThat(failed.awaitFailed(WAIT)).isSameAs(boom);
    assertThat(failed.response().text()).isEqualTo("a");
    assertThatThrownBy(() -> failed.awaitCompleted(WAIT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected completed but the answer failed")
        .hasCause(boom);

    RecordingSink silent = new RecordingSink();
    assertThatThrownBy(() -> silent.awaitTerminal(Duration.ZERO))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("timed out");
    assertThatThrownBy(() -> silent.awaitTextCalls(1, Duration.ZERO)).isInstanceOf(AssertionError.class);
    silent.onCancelled(ChatResponse.EMPTY);
    assertThatThrownBy(() -> silent.awaitTextCalls(1, WAIT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("ended after 0");
    assertThat(silent.awaitCancelled(WAIT)).isSameAs(ChatResponse.EMPTY);
  }

  @Test
  void aWaitReturnsWhenAnotherThreadEndsTheAnswer() throws Exception {
    RecordingSink sink = new RecordingSink();
    Thread ui = new Thread(() -> {
      sink.onText("hi", "hi");
      sink.onCompleted(ChatResponse.EMPTY);
    });
    ui.start();
    assertThat(sink.awaitTextCalls(1, WAIT).awaitCompleted(WAIT)).isSameAs(ChatResponse.EMPTY);
    ui.join(WAIT.toMillis());
    assertThat(sink.shownText()).isEqualTo("hi");
  }
}
