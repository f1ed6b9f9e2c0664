package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiConnection;
import dev.llmstream.core.Usage;
import dev.llmstream.core.internal.StreamBufferImpl;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every flush rule of {@link StreamBuffer}, on a virtual clock. */
class StreamBufferTest {
  private static final Duration WINDOW = Duration.ofMillis(50);
  private final VirtualScheduler clock = new VirtualScheduler();
  private final ScriptedUpstream up = new ScriptedUpstream();

  private TestSubscriber<StreamEvent> connect(UiConfig config, long demand) {
    StreamBufferImpl buffer = new StreamBufferImpl(config.withScheduler(clock));
    TestSubscriber<StreamEvent> down = TestSubscriber.<StreamEvent>withInitialRequest(demand).timedBy(clock::nanoTime);
    buffer.subscribe(down);
    up.subscribe(buffer);
    return down;
  }

  private TestSubscriber<StreamEvent> connect(long demand) {
    return connect(UiConfig.defaults(), demand);
  }

  private static Duration ms(long n) {
    return Duration.ofMillis(n);
  }

  @Test
  void firstTokenGoesOutAtOnce() {
    TestSubscriber<StreamEvent> down = connect(Long.MAX_VALUE);
    long t0 = clock.nanoTime();
    up.text("Hel");
    assertThat(Events.texts(down)).containsExactly("Hel");
    assertThat(down.times()).containsExactly(t0);
  }

  @Test
  void textWithinTheWindowIsHeldAndReleasedWhenTheWindowEnds() {
    TestSubscriber<StreamEvent> down = connect(Long.MAX_VALUE);
    long t0 = clock.nanoTime();
    up.text("Hel");
    clock.advance(ms(10));
    up.text("lo");
    clock.advance(ms(20));
    up.text(" wor");
    assertThat(Events.texts(down)).containsExactly("Hel");
    clock.advance(ms(19));
    assertThat(Events.texts(down)).containsExactly("Hel");
    clock.advance(ms(1));
    assertThat(Events.texts(down)).containsExactly("Hel", "lo wor");
    assertThat(down.times().get(1) - t0).isEqualTo(WINDOW.toNanos());
    assertThat(clock.pendingTasks()).isZero(); // no timer left when nothing is pending
  }

  @Test
  void aBatchReachingTheSizeLimitGoesOutBeforeTheWindowEnds() {
    TestSubscriber<StreamEvent> down = connect(UiConfig.defaults().withMaxBatchChars(8), Long.MAX_VALUE);
    up.text("a");
    clock.advance(ms(5));
    up.text("bcdef");
    up.text("ghijk"); // pending "bcdefghijk" (10) >= 8
    assertThat(Events.texts(down)).containsExactly("a", "bcdefghi");
    // the rest waits one window from the size-limited batch (at 5 ms), not from the first one
    clock.advance(ms(49));
    assertThat(Events.texts(down)).containsExactly("a", "bcdefghi");
    clock.advance(ms(1));
    assertThat(Events.texts(down)).containsExactly("a", "bcdefghi", "jk");
  }

  @Test
  void aSizeLimitCutNeverSplitsASurrogatePair() {
    TestSubscriber<StreamEvent> down =
        connect(UiConfig.defaults().withMaxBatchChars(5), Long.MAX_VALUE);
    up.text("x");
    up.text("abcd\uD83D\uDE00ef"); // the emoji occupies indexes 4 and 5: a cut at 5 would split it
    clock.advance(WINDOW);
    assertThat(Events.texts(down)).containsExactly("x", "abcd", "\uD83D\uDE00ef");
  }

  @Test
  void aSurrogatePairLongerThanATinyLimitStillArrivesWhole() {
    TestSubscriber<StreamEvent> down =
        connect(UiConfig.defaults().withMaxBatchChars(1), Long.MAX_VALUE);
    up.text("\uD83D\uDE00\uD83D\uDE01");
    clock.advance(WINDOW);
    clock.advance(WINDOW);
    assertThat(Events.texts(down)).containsExactly("\uD83D\uDE00", "\uD83D\uDE01");
  }

  @Test
  void textArrivingAfterAQuietWindowIsNotDelayed() {
    TestSubscriber<StreamEvent> down = connect(Long.MAX_VALUE);
    up.text("a");
    clock.advance(ms(50));
    up.text("b"); // exactly one window after the last batch
    clock.advance(ms(200));
    up.text("c"); // a slow model: every token goes out at once
    assertThat(Events.texts(down)).containsExactly("a", "b", "c");
    assertThat(down.times().get(1) - down.times().get(0)).isEqualTo(ms(50).toNanos());
    assertThat(down.times().get(2) - down.times().get(1)).isEqualTo(ms(200).toNanos());
  }

  @Test
  void zeroWindowDeliversEveryPieceAsDemandAllows() {
    TestSubscriber<StreamEvent> down =
        connect(UiConfig.defaults().withWindow(Duration.ZERO), Long.MAX_VALUE);
    up.text("a");
    up.text("b");
    up.text("c");
    assertThat(Events.texts(down)).containsExactly("a", "b", "c");
    assertThat(clock.scheduledDelays().size()).isZero();
  }

  @Test
  void mixedEventsKeepTheirOrderAndFlushPendingTextFirst() {
    TestSubscriber<StreamEvent> down = connect(Long.MAX_VALUE);
    up.push(new StreamEvent.Waiting("req-1"));
    up.reasoning("think");
    up.reasoning("ing");
    up.text("A");
    up.text("B");
    up.push(new StreamEvent.ToolCallDelta(0, "c1", "f", "{"));
    up.text("C");
    up.text("D");
    up.push(new StreamEvent.Finish(FinishReason.STOP, null, Usage.of(1, 2, 3)));
    up.complete();
    assertThat(down.values())
        .containsExactly(
            new StreamEvent.Waiting("req-1"),
            new StreamEvent.ReasoningDelta("think"),
            new StreamEvent.ReasoningDelta("ing"),
            new StreamEvent.TextDelta("AB"),
            new StreamEvent.ToolCallDelta(0, "c1", "f", "{"),
            new StreamEvent.TextDelta("CD"),
            new StreamEvent.Finish(FinishReason.STOP, null, Usage.of(1, 2, 3)));
    assertThat(down.isCompleted()).isTrue();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void recoveringAndReplacedPassThroughInOrder() {
    TestSubscriber<StreamEvent> down = connect(Long.MAX_VALUE);
    up.text("a");
    up.text("b");
    up.push(new StreamEvent.Recovering(1, "connection reset"));
    up.push(new StreamEvent.Replaced("ab", ""));
    up.text("c");
    assertThat(down.values())
        .containsExactly(
            new StreamEvent.TextDelta("a"),
            new StreamEvent.TextDelta("b"),
            new StreamEvent.Recovering(1, "connection reset"),
            new StreamEvent.Replaced("ab", ""));
    clock.advance(WINDOW);
    assertThat(Events.texts(down)).containsExactly("a", "b", "c");
  }

  @Test
  void completionFlushesAtOnce() {
    TestSubscriber<StreamEvent> down = connect(Long.MAX_VALUE);
    up.text("a");
    up.text("b");
    up.text("c");
    up.complete();
    assertThat(Events.texts(down)).containsExactly("a", "bc");
    assertThat(down.isCompleted()).isTrue();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void anErrorFlushesPendingTextThenFails() {
    TestSubscriber<StreamEvent> down = connect(Long.MAX_VALUE);
    up.text("a");
    up.text("b");
    StreamException boom = new StreamException(ErrorKind.CONNECTION, "reset", StreamException.NO_STATUS, null, null);
    up.fail(boom);
    assertThat(Events.texts(down)).containsExactly("a", "b");
    assertThat(down.error()).isSameAs(boom);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void anErrorWaitsForDemandToDeliverPendingText() {
    TestSubscriber<StreamEvent> down = connect(1);
    up.text("a");
    up.text("b");
    up.fail(new StreamException(ErrorKind.CONNECTION, "reset", StreamException.NO_STATUS, null, null));
    assertThat(down.error()).isNull();
    down.request(1);
    assertThat(Events.texts(down)).containsExactly("a", "b");
    assertThat(down.error()).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CONNECTION);
  }

  @Test
  void anEmptyStreamCompletesWithoutDemand() {
    TestSubscriber<StreamEvent> down = connect(0);
    up.complete();
    assertThat(down.isCompleted()).isTrue();
  }

  @Test
  void nonTextEventsWaitForDemandAndStopUpstreamReads() {
    TestSubscriber<StreamEvent> down = connect(0);
    up.push(new StreamEvent.Waiting(null));
    assertThat(up.hasDemand()).as("holding a non-text event, the buffer reads no further").isFalse();
    down.request(1);
    assertThat(down.values()).containsExactly(new StreamEvent.Waiting(null));
    assertThat(up.hasDemand()).isTrue();
  }

  @Test
  void aSlowDownstreamGetsCoalescedBatchesAndMemoryStaysBounded() {
    UiConfig config =
        UiConfig.defaults().withMaxBatchChars(16).withMaxPendingChars(1000);
    TestSubscriber<StreamEvent> down = connect(config, 1);
    up.text("first");
    assertThat(Events.texts(down)).containsExactly("first");
    // The UI is busy: no demand. The model keeps sending 10-char tokens every millisecond.
    int pushed = 0;
    while (up.hasDemand()) {
      up.text("0123456789");
      pushed++;
      clock.advance(ms(1));
      assertThat(pushed).as("the buffer must stop reading at maxPendingChars").isLessThan(200);
    }
    assertThat(pushed * 10).isBetween(1000, 1010);
    long requestedWhileBlocked = up.totalRequested;
    clock.advance(Duration.ofSeconds(5));
    assertThat(up.totalRequested).isEqualTo(requestedWhileBlocked);
    assertThat(down.values()).hasSize(1);
    // The UI asks again: everything pending comes as one batch, larger than maxBatchChars.
    down.request(1);
    assertThat(Events.texts(down)).hasSize(2);
    assertThat(Events.texts(down).get(1)).hasSize(pushed * 10);
    assertThat(up.hasDemand()).isTrue();
  }

  static List<UiConfig> configs() {
    return List.of(
        UiConfig.defaults().withMaxBatchChars(64),
        UiConfig.defaults().withMaxBatchChars(7),
        UiConfig.defaults().withMaxBatchChars(64).withBoundary(UiConfig.Boundary.WORD),
        UiConfig.defaults().withMaxBatchChars(10).withBoundary(UiConfig.Boundary.WORD),
        UiConfig.defaults().withMaxBatchChars(300).withBoundary(UiConfig.Boundary.LINE),
        UiConfig.defaults().withWindow(Duration.ofMillis(16)));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void nothingWaitsLongerThanTheWindow(UiConfig config) {
    Random random = new Random(42);
    TestSubscriber<StreamEvent> down = connect(config, Long.MAX_VALUE);
    ArrayDeque<Long> arrivals = new ArrayDeque<>(); // per character
    long maxDelay = 0;
    int delivered = 0;
    StringBuilder sent = new StringBuilder();
    StringBuilder received = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      if (random.nextInt(10) == 0) {
        clock.advance(ms(random.nextInt(120))); // bursts with pauses, like Groq
      } else {
        clock.advance(Duration.ofNanos(random.nextInt(2_000_000)));
      }
      String token = "t" + random.nextInt(1000) + (random.nextInt(4) == 0 ? "\n" : random.nextBoolean() ? " " : "");
      for (int c = 0; c < token.length(); c++) {
        arrivals.add(clock.nanoTime());
      }
      sent.append(token);
      up.text(token);
      clock.runDue();
      for (; delivered < down.values().size(); delivered++) {
        String batch = ((StreamEvent.TextDelta) down.values().get(delivered)).text();
        received.append(batch);
        long at = down.times().get(delivered);
        for (int c = 0; c < batch.length(); c++) {
          maxDelay = Math.max(maxDelay, at - arrivals.poll());
        }
      }
    }
    clock.advance(ms(1000));
    up.complete();
    for (; delivered < down.values().size(); delivered++) {
      received.append(((StreamEvent.TextDelta) down.values().get(delivered)).text());
    }
    assertThat(received).hasToString(sent.toString());
    assertThat(maxDelay).isLessThanOrEqualTo(config.window().toNanos());
    // coalesced: far fewer batches than tokens, unless a tiny size limit forces them
    assertThat(down.values().size()).isLessThan(5_000 / 2 + sent.length() / config.maxBatchChars());
  }

  @Test
  void cancellingStopsUpstreamAndTimers() {
    TestSubscriber<StreamEvent> down = connect(Long.MAX_VALUE);
    up.text("a");
    up.text("b");
    assertThat(clock.pendingTasks()).isEqualTo(1);
    down.cancel();
    assertThat(up.cancelled).isTrue();
    assertThat(clock.pendingTasks()).isZero();
    clock.advance(WINDOW);
    assertThat(Events.texts(down)).containsExactly("a");
  }

  @Test
  void nonPositiveRequestFailsTheStream() {
    TestSubscriber<StreamEvent> down = connect(0);
    down.request(0);
    assertThat(down.error()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
    assertThat(up.cancelled).isTrue();
  }

  @Test
  void aSecondSubscriberIsRejected() {
    StreamBufferImpl buffer = new StreamBufferImpl(UiConfig.defaults().withScheduler(clock));
    buffer.subscribe(TestSubscriber.<StreamEvent>withInitialRequest(0).timedBy(clock::nanoTime));
    TestSubscriber<StreamEvent> second = TestSubscriber.<StreamEvent>withInitialRequest(0).timedBy(clock::nanoTime);
    buffer.subscribe(second);
    assertThat(second.error()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void bufferOverATokenStreamDeliversTheWholeAnswer() {
    TokenStream stream =
        TokenStream.of(
            List.of(
                new StreamEvent.TextDelta("a"),
                new StreamEvent.TextDelta("b"),
                new StreamEvent.TextDelta("c"),
                StreamEvent.Finish.of(FinishReason.STOP)));
    TestSubscriber<StreamEvent> down = TestSubscriber.<StreamEvent>withInitialRequest(Long.MAX_VALUE).timedBy(clock::nanoTime);
    UiConnection.buffer(stream, UiConfig.defaults().withScheduler(clock)).subscribe(down);
    assertThat(Events.texts(down)).containsExactly("a", "bc");
    assertThat(down.values()).last().isEqualTo(StreamEvent.Finish.of(FinishReason.STOP));
    assertThat(down.isCompleted()).isTrue();
  }

  @Test
  void badConfigurationFailsFastNamingTheSetting() {
    assertThatThrownBy(() -> UiConfig.defaults().withWindow(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window");
    assertThatThrownBy(() -> UiConfig.defaults().withWindow(Duration.ofMillis(1001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window");
    assertThatThrownBy(() -> UiConfig.defaults().withMaxBatchChars(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBatchChars");
    assertThatThrownBy(() -> UiConfig.defaults().withMaxPendingChars(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPendingChars");
    assertThatThrownBy(() -> UiConfig.defaults().withMaxPendingChars(100).withMaxBatchChars(100).withMaxPendingChars(10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPendingChars");
    assertThatThrownBy(() -> UiConfig.defaults().withWindow(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("window");
    assertThatThrownBy(() -> UiConfig.defaults().withBoundary(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("boundary");
    assertThatThrownBy(() -> UiConfig.defaults().withScheduler(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("scheduler");
  }

  @Test
  void withersCopyAndChangeOneSetting() {
    UiConfig base = UiConfig.defaults().withWindow(ms(16));
    UiConfig changed = base.withMaxBatchChars(32);
    assertThat(changed.window()).isEqualTo(ms(16));
    assertThat(changed.maxBatchChars()).isEqualTo(32);
    assertThat(base.maxBatchChars()).isEqualTo(UiConfig.DEFAULT_MAX_BATCH_CHARS);
  }
}
