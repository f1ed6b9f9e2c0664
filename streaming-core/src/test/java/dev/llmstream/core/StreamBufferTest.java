package dev.llmstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  private final ManualScheduler clock = new ManualScheduler();
  private final ScriptedUpstream up = new ScriptedUpstream();

  private TimedSubscriber connect(StreamBufferConfig config, long demand) {
    StreamBuffer buffer = StreamBuffer.create(config, clock);
    TimedSubscriber down = new TimedSubscriber(clock, demand);
    buffer.subscribe(down);
    up.subscribe(buffer);
    return down;
  }

  private TimedSubscriber connect(long demand) {
    return connect(StreamBufferConfig.defaults(), demand);
  }

  private static Duration ms(long n) {
    return Duration.ofMillis(n);
  }

  @Test
  void firstTokenGoesOutAtOnce() {
    TimedSubscriber down = connect(Long.MAX_VALUE);
    long t0 = clock.nanoTime();
    up.text("Hel");
    assertThat(down.texts()).containsExactly("Hel");
    assertThat(down.times).containsExactly(t0);
  }

  @Test
  void textWithinTheWindowIsHeldAndReleasedWhenTheWindowEnds() {
    TimedSubscriber down = connect(Long.MAX_VALUE);
    long t0 = clock.nanoTime();
    up.text("Hel");
    clock.advance(ms(10));
    up.text("lo");
    clock.advance(ms(20));
    up.text(" wor");
    assertThat(down.texts()).containsExactly("Hel");
    clock.advance(ms(19));
    assertThat(down.texts()).containsExactly("Hel");
    clock.advance(ms(1));
    assertThat(down.texts()).containsExactly("Hel", "lo wor");
    assertThat(down.times.get(1) - t0).isEqualTo(WINDOW.toNanos());
    assertThat(clock.pendingTasks()).isZero(); // no timer left when nothing is pending
  }

  @Test
  void aBatchReachingTheSizeLimitGoesOutBeforeTheWindowEnds() {
    TimedSubscriber down = connect(StreamBufferConfig.builder().maxBatchChars(8).build(), Long.MAX_VALUE);
    up.text("a");
    clock.advance(ms(5));
    up.text("bcdef");
    up.text("ghijk"); // pending "bcdefghijk" (10) >= 8
    assertThat(down.texts()).containsExactly("a", "bcdefghi");
    // the rest waits one window from the size-limited batch (at 5 ms), not from the first one
    clock.advance(ms(49));
    assertThat(down.texts()).containsExactly("a", "bcdefghi");
    clock.advance(ms(1));
    assertThat(down.texts()).containsExactly("a", "bcdefghi", "jk");
  }

  @Test
  void aSizeLimitCutNeverSplitsASurrogatePair() {
    TimedSubscriber down =
        connect(StreamBufferConfig.builder().maxBatchChars(5).build(), Long.MAX_VALUE);
    up.text("x");
    up.text("abcd\uD83D\uDE00ef"); // the emoji occupies indexes 4 and 5: a cut at 5 would split it
    clock.advance(WINDOW);
    assertThat(down.texts()).containsExactly("x", "abcd", "\uD83D\uDE00ef");
  }

  @Test
  void aSurrogatePairLongerThanATinyLimitStillArrivesWhole() {
    TimedSubscriber down =
        connect(StreamBufferConfig.builder().maxBatchChars(1).build(), Long.MAX_VALUE);
    up.text("\uD83D\uDE00\uD83D\uDE01");
    clock.advance(WINDOW);
    clock.advance(WINDOW);
    assertThat(down.texts()).containsExactly("\uD83D\uDE00", "\uD83D\uDE01");
  }

  @Test
  void textArrivingAfterAQuietWindowIsNotDelayed() {
    TimedSubscriber down = connect(Long.MAX_VALUE);
    up.text("a");
    clock.advance(ms(50));
    up.text("b"); // exactly one window after the last batch
    clock.advance(ms(200));
    up.text("c"); // a slow model: every token goes out at once
    assertThat(down.texts()).containsExactly("a", "b", "c");
    assertThat(down.times.get(1) - down.times.get(0)).isEqualTo(ms(50).toNanos());
    assertThat(down.times.get(2) - down.times.get(1)).isEqualTo(ms(200).toNanos());
  }

  @Test
  void zeroWindowDeliversEveryPieceAsDemandAllows() {
    TimedSubscriber down =
        connect(StreamBufferConfig.builder().window(Duration.ZERO).build(), Long.MAX_VALUE);
    up.text("a");
    up.text("b");
    up.text("c");
    assertThat(down.texts()).containsExactly("a", "b", "c");
    assertThat(clock.scheduledCount()).isZero();
  }

  @Test
  void mixedEventsKeepTheirOrderAndFlushPendingTextFirst() {
    TimedSubscriber down = connect(Long.MAX_VALUE);
    up.push(new StreamEvent.Waiting("req-1"));
    up.reasoning("think");
    up.reasoning("ing");
    up.text("A");
    up.text("B");
    up.push(new StreamEvent.ToolCallDelta(0, "c1", "f", "{"));
    up.text("C");
    up.text("D");
    up.push(new StreamEvent.UsageUpdate(Usage.of(1, 2, 3)));
    up.push(StreamEvent.Finish.of(FinishReason.STOP));
    up.complete();
    assertThat(down.events)
        .containsExactly(
            new StreamEvent.Waiting("req-1"),
            new StreamEvent.ReasoningDelta("think"),
            new StreamEvent.ReasoningDelta("ing"),
            new StreamEvent.TextDelta("AB"),
            new StreamEvent.ToolCallDelta(0, "c1", "f", "{"),
            new StreamEvent.TextDelta("CD"),
            new StreamEvent.UsageUpdate(Usage.of(1, 2, 3)),
            StreamEvent.Finish.of(FinishReason.STOP));
    assertThat(down.completed).isTrue();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void recoveringAndReplacedPassThroughInOrder() {
    TimedSubscriber down = connect(Long.MAX_VALUE);
    up.text("a");
    up.text("b");
    up.push(new StreamEvent.Recovering(1, "connection reset"));
    up.push(new StreamEvent.Replaced("ab", ""));
    up.text("c");
    assertThat(down.events)
        .containsExactly(
            new StreamEvent.TextDelta("a"),
            new StreamEvent.TextDelta("b"),
            new StreamEvent.Recovering(1, "connection reset"),
            new StreamEvent.Replaced("ab", ""));
    clock.advance(WINDOW);
    assertThat(down.texts()).containsExactly("a", "b", "c");
  }

  @Test
  void completionFlushesAtOnce() {
    TimedSubscriber down = connect(Long.MAX_VALUE);
    up.text("a");
    up.text("b");
    up.text("c");
    up.complete();
    assertThat(down.texts()).containsExactly("a", "bc");
    assertThat(down.completed).isTrue();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void anErrorFlushesPendingTextThenFails() {
    TimedSubscriber down = connect(Long.MAX_VALUE);
    up.text("a");
    up.text("b");
    StreamException boom = new StreamException(ErrorKind.CONNECTION, "reset", StreamException.NO_STATUS, null, null);
    up.fail(boom);
    assertThat(down.texts()).containsExactly("a", "b");
    assertThat(down.error).isSameAs(boom);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void anErrorWaitsForDemandToDeliverPendingText() {
    TimedSubscriber down = connect(1);
    up.text("a");
    up.text("b");
    up.fail(new StreamException(ErrorKind.CONNECTION, "reset", StreamException.NO_STATUS, null, null));
    assertThat(down.error).isNull();
    down.request(1);
    assertThat(down.texts()).containsExactly("a", "b");
    assertThat(down.error).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CONNECTION);
  }

  @Test
  void anEmptyStreamCompletesWithoutDemand() {
    TimedSubscriber down = connect(0);
    up.complete();
    assertThat(down.completed).isTrue();
  }

  @Test
  void nonTextEventsWaitForDemandAndStopUpstreamReads() {
    TimedSubscriber down = connect(0);
    up.push(new StreamEvent.Waiting(null));
    assertThat(up.hasDemand()).as("holding a non-text event, the buffer reads no further").isFalse();
    down.request(1);
    assertThat(down.events).containsExactly(new StreamEvent.Waiting(null));
    assertThat(up.hasDemand()).isTrue();
  }

  @Test
  void aSlowDownstreamGetsCoalescedBatchesAndMemoryStaysBounded() {
    StreamBufferConfig config =
        StreamBufferConfig.builder().maxBatchChars(16).maxPendingChars(1000).build();
    TimedSubscriber down = connect(config, 1);
    up.text("first");
    assertThat(down.texts()).containsExactly("first");
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
    assertThat(down.events).hasSize(1);
    // The UI asks again: everything pending comes as one batch, larger than maxBatchChars.
    down.request(1);
    assertThat(down.texts()).hasSize(2);
    assertThat(down.texts().get(1)).hasSize(pushed * 10);
    assertThat(up.hasDemand()).isTrue();
  }

  static List<StreamBufferConfig> configs() {
    return List.of(
        StreamBufferConfig.builder().maxBatchChars(64).build(),
        StreamBufferConfig.builder().maxBatchChars(7).build(),
        StreamBufferConfig.builder().maxBatchChars(64).boundary(StreamBufferConfig.Boundary.WORD).build(),
        StreamBufferConfig.builder().maxBatchChars(10).boundary(StreamBufferConfig.Boundary.WORD).build(),
        StreamBufferConfig.builder().maxBatchChars(300).boundary(StreamBufferConfig.Boundary.LINE).build(),
        StreamBufferConfig.builder().window(Duration.ofMillis(16)).build());
  }

  @ParameterizedTest
  @MethodSource("configs")
  void nothingWaitsLongerThanTheWindow(StreamBufferConfig config) {
    Random random = new Random(42);
    TimedSubscriber down = connect(config, Long.MAX_VALUE);
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
      for (; delivered < down.events.size(); delivered++) {
        String batch = ((StreamEvent.TextDelta) down.events.get(delivered)).text();
        received.append(batch);
        long at = down.times.get(delivered);
        for (int c = 0; c < batch.length(); c++) {
          maxDelay = Math.max(maxDelay, at - arrivals.poll());
        }
      }
    }
    clock.advance(ms(1000));
    up.complete();
    for (; delivered < down.events.size(); delivered++) {
      received.append(((StreamEvent.TextDelta) down.events.get(delivered)).text());
    }
    assertThat(received).hasToString(sent.toString());
    assertThat(maxDelay).isLessThanOrEqualTo(config.window().toNanos());
    // coalesced: far fewer batches than tokens, unless a tiny size limit forces them
    assertThat(down.events.size()).isLessThan(5_000 / 2 + sent.length() / config.maxBatchChars());
  }

  @Test
  void cancellingStopsUpstreamAndTimers() {
    TimedSubscriber down = connect(Long.MAX_VALUE);
    up.text("a");
    up.text("b");
    assertThat(clock.pendingTasks()).isEqualTo(1);
    down.subscription.cancel();
    assertThat(up.cancelled).isTrue();
    assertThat(clock.pendingTasks()).isZero();
    clock.advance(WINDOW);
    assertThat(down.texts()).containsExactly("a");
  }

  @Test
  void nonPositiveRequestFailsTheStream() {
    TimedSubscriber down = connect(0);
    down.request(0);
    assertThat(down.error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
    assertThat(up.cancelled).isTrue();
  }

  @Test
  void aSecondSubscriberIsRejected() {
    StreamBuffer buffer = StreamBuffer.create(StreamBufferConfig.defaults(), clock);
    buffer.subscribe(new TimedSubscriber(clock, 0));
    TimedSubscriber second = new TimedSubscriber(clock, 0);
    buffer.subscribe(second);
    assertThat(second.error).isInstanceOf(IllegalStateException.class);
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
    TimedSubscriber down = new TimedSubscriber(clock, Long.MAX_VALUE);
    StreamBuffer.buffer(stream, StreamBufferConfig.defaults(), clock).subscribe(down);
    assertThat(down.texts()).containsExactly("a", "bc");
    assertThat(down.events).last().isEqualTo(StreamEvent.Finish.of(FinishReason.STOP));
    assertThat(down.completed).isTrue();
  }

  @Test
  void badConfigurationFailsFastNamingTheSetting() {
    assertThatThrownBy(() -> StreamBufferConfig.builder().window(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window");
    assertThatThrownBy(() -> StreamBufferConfig.builder().window(Duration.ofMillis(1001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window");
    assertThatThrownBy(() -> StreamBufferConfig.builder().maxBatchChars(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBatchChars");
    assertThatThrownBy(() -> StreamBufferConfig.builder().maxPendingChars(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPendingChars");
    assertThatThrownBy(() -> StreamBufferConfig.builder().maxBatchChars(100).maxPendingChars(10).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPendingChars");
    assertThatThrownBy(() -> StreamBufferConfig.builder().window(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("window");
    assertThatThrownBy(() -> StreamBufferConfig.builder().window(WINDOW).window(WINDOW))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("window");
  }

  @Test
  void toBuilderCopiesAndAllowsChanges() {
    StreamBufferConfig base = StreamBufferConfig.builder().window(ms(16)).build();
    StreamBufferConfig changed = base.toBuilder().maxBatchChars(32).build();
    assertThat(changed.window()).isEqualTo(ms(16));
    assertThat(changed.maxBatchChars()).isEqualTo(32);
    assertThat(base.maxBatchChars()).isEqualTo(StreamBufferConfig.DEFAULT_MAX_BATCH_CHARS);
  }
}
