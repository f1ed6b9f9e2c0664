package dev.llmstream.groq.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiConnection;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordingSink;
import dev.llmstream.testkit.TestSubscriber;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fault matrix: a 200-chunk answer cut after every chunk position {@code k} of the response, against
 * the fake Groq server, for each strategy. Positions: {@code k = 0} cuts after the role chunk (before any
 * token: the attempt's own retry handles it, whatever the strategy), {@code 1..200} after {@code k}
 * answer chunks (recovery), {@code 201} after the finish chunk (nothing to recover: the answer was
 * complete). Unpaced server, zero recovery backoff, real clock; the default timeouts never fire.
 */
class RecoveryFaultMatrixTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int ANSWER_CHUNKS = 200;
  private static final RecoveryPolicy FAST =
      RecoveryPolicy.defaults().withBackoff(Duration.ZERO, Duration.ZERO).withJitter(0);

  private static GroqProvider provider(FakeGroqServer server, RecoveryPolicy policy) {
    return GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").recovery(policy).build();
  }

  private static String text(List<StreamEvent> events, int from, int to) {
    StringBuilder sb = new StringBuilder();
    for (StreamEvent e : events.subList(from, to)) {
      if (e instanceof StreamEvent.TextDelta t) {
        sb.append(t.text());
      }
    }
    return sb.toString();
  }

  private static int indexOf(List<StreamEvent> events, Class<?> type) {
    for (int i = 0; i < events.size(); i++) {
      if (type.isInstance(events.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static long count(List<StreamEvent> events, Class<?> type) {
    return events.stream().filter(type::isInstance).count();
  }

  /**
   * What {@code CONTINUE} shows after a cut at chunk {@code k}: the reference, except where this periodic
   * reference's continuation starts by repeating all of the text shown (a cut at a period boundary in its
   * first half). Such a continuation cannot be told from a server that ignored the prefill and restarted
   * the answer, and since issue 18 repeated text is never shown: the repeat is dropped, as for a restart.
   */
  static String underContinue(MatrixDispatcher d, int k) {
    String shown = d.chunks(k);
    String continuation = d.reference.substring(shown.length());
    if (k >= 1 && !shown.isEmpty() && !continuation.isEmpty() && continuation.startsWith(shown)) {
      return continuation;
    }
    return d.reference;
  }

  @Test
  void onlyCutsAtAPeriodBoundaryInTheFirstHalfAreTakenForRestarts() {
    MatrixDispatcher d = new MatrixDispatcher(MatrixDispatcher.reference());
    int restarts = 0;
    for (int k = 1; k < ANSWER_CHUNKS; k++) {
      if (!underContinue(d, k).equals(d.reference)) {
        restarts++;
        assertThat(d.chunks(k).length()).as("k=%d", k).isLessThanOrEqualTo(d.reference.length() / 2);
      }
    }
    assertThat(restarts).as("cuts whose continuation repeats all of the text shown").isBetween(1, 3);
  }

  @Test
  void referenceHas200ChunksAndManyCutsFallAfterWhitespace() {
    MatrixDispatcher d = new MatrixDispatcher(MatrixDispatcher.reference());
    assertThat(d.chunkCount()).isEqualTo(ANSWER_CHUNKS);
    int afterWhitespace = 0;
    for (int k = 1; k < ANSWER_CHUNKS; k++) {
      String prefix = d.chunks(k);
      if (Character.isWhitespace(prefix.charAt(prefix.length() - 1))) {
        afterWhitespace++;
      }
    }
    assertThat(afterWhitespace).as("cuts right after whitespace").isGreaterThan(40);
  }

  @Test
  void continueDeliversTheReferenceExactlyForEveryCut() throws Exception {
    MatrixDispatcher d = new MatrixDispatcher(MatrixDispatcher.reference());
    int recovered = 0;
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(d).build().start();
        GroqProvider p = provider(server, FAST)) {
      for (int k = 0; k <= ANSWER_CHUNKS + 1; k++) {
        TokenStream stream = p.stream(ChatRequest.ofUser(MatrixDispatcher.prompt(k)));
        TestSubscriber<StreamEvent> sub = TestSubscriber.create();
        stream.subscribe(sub);
        sub.awaitTerminal(WAIT).assertNoViolations();
        assertThat(sub.error()).as("k=%d", k).isNull();
        List<StreamEvent> events = sub.values();
        String seen = text(events, 0, events.size());
        String expected = underContinue(d, k);
        assertThat(seen).as("k=%d: the text the subscriber saw", k).isEqualTo(expected);
        assertThat(stream.partial().text()).as("k=%d", k).isEqualTo(expected);
        assertThat(stream.state()).isEqualTo(StreamState.COMPLETED);
        assertThat(count(events, StreamEvent.Replaced.class)).as("k=%d: no Replaced", k).isZero();
        boolean recovers = k >= 1 && k <= ANSWER_CHUNKS;
        assertThat(count(events, StreamEvent.Recovering.class)).as("k=%d", k).isEqualTo(recovers ? 1 : 0);
        ChatResponse answer = stream.partial();
        assertThat(answer.usage()).isNotNull();
        assertThat(answer.usage().recovered()).as("k=%d: usage marked recovered", k).isEqualTo(recovers);
        if (recovers) {
          recovered++;
          int at = indexOf(events, StreamEvent.Recovering.class);
          String before = text(events, 0, at);
          assertThat(before).as("k=%d: delivered before the cut", k).isEqualTo(d.chunks(k));
          assertThat(d.prefills.get(k)).as("k=%d: the prefill is the delivered text, byte for byte", k).isEqualTo(before);
        } else {
          assertThat(d.prefills).as("k=%d", k).doesNotContainKey(k);
        }
      }
      assertThat(d.problems).isEmpty();
      // k=0: the cut request and its retry; k=1..200: the cut request and one continuation; k=201: one
      assertThat(server.requests()).hasSize(2 + 2 * ANSWER_CHUNKS + 1);
    }
    assertThat(recovered).isEqualTo(ANSWER_CHUNKS);
  }

  @Test
  void failHandsBackExactlyWhatWasDeliveredForEveryCut() throws Exception {
    MatrixDispatcher d = new MatrixDispatcher(MatrixDispatcher.reference());
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(d).build().start();
        GroqProvider p = provider(server, RecoveryPolicy.disabled())) {
      for (int k = 0; k <= ANSWER_CHUNKS + 1; k++) {
        TokenStream stream = p.stream(ChatRequest.ofUser(MatrixDispatcher.prompt(k)));
        TestSubscriber<StreamEvent> sub = TestSubscriber.create();
        stream.subscribe(sub);
        sub.awaitTerminal(WAIT).assertNoViolations();
        List<StreamEvent> events = sub.values();
        String seen = text(events, 0, events.size());
        assertThat(count(events, StreamEvent.Recovering.class)).isZero();
        if (k == 0 || k == ANSWER_CHUNKS + 1) {
          // before the first token the attempt retries; after the finish chunk the answer is whole
          assertThat(sub.error()).as("k=%d", k).isNull();
          assertThat(seen).isEqualTo(d.reference);
          continue;
        }
        assertThat(sub.error()).as("k=%d", k).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.CONNECTION);
        StreamException error = (StreamException) sub.error();
        assertThat(seen).as("k=%d", k).isEqualTo(d.chunks(k));
        assertThat(error.partial().text()).as("k=%d: the partial is what was delivered", k).isEqualTo(seen);
        assertThat(error.partial().finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(stream.state()).isEqualTo(StreamState.FAILED);
      }
      assertThat(d.prefills).isEmpty();
      assertThat(server.requests()).hasSize(2 + ANSWER_CHUNKS + 1);
    }
  }

  @Test
  void restartDedupeDeliversTheReferenceExactlyForEveryCut() throws Exception {
    MatrixDispatcher d = new MatrixDispatcher(MatrixDispatcher.reference());
    RecoveryPolicy restart = FAST.withStrategy(RecoveryPolicy.Strategy.RESTART_DEDUPE);
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(d).build().start();
        GroqProvider p = provider(server, restart)) {
      for (int k = 0; k <= ANSWER_CHUNKS + 1; k++) {
        TokenStream stream = p.stream(ChatRequest.ofUser(MatrixDispatcher.prompt(k)));
        TestSubscriber<StreamEvent> sub = TestSubscriber.create();
        stream.subscribe(sub);
        sub.awaitTerminal(WAIT).assertNoViolations();
        assertThat(sub.error()).as("k=%d", k).isNull();
        List<StreamEvent> events = sub.values();
        assertThat(text(events, 0, events.size())).as("k=%d: nothing repeated, nothing missing", k).isEqualTo(d.reference);
        assertThat(count(events, StreamEvent.Replaced.class)).as("k=%d", k).isZero();
        boolean recovers = k >= 1 && k <= ANSWER_CHUNKS;
        assertThat(count(events, StreamEvent.Recovering.class)).as("k=%d", k).isEqualTo(recovers ? 1 : 0);
        if (recovers) {
          int at = indexOf(events, StreamEvent.Recovering.class);
          assertThat(text(events, 0, at)).as("k=%d", k).isEqualTo(d.chunks(k));
        }
        assertThat(d.seeds).as("k=%d: the request carries a seed", k).containsKey(k);
      }
      assertThat(d.prefills).as("a restart sends no prefill").isEmpty();
      assertThat(d.problems).as("the restart used the same seed").isEmpty();
      assertThat(server.requests()).hasSize(2 + 2 * ANSWER_CHUNKS + 1);
    }
  }

  @Test
  void restartDedupeSignalsReplacedWhenTheRestartDiverges() throws Exception {
    MatrixDispatcher d = new MatrixDispatcher(MatrixDispatcher.reference());
    String other = "A different answer, as a model without a working seed may give.";
    d.restart = k -> other;
    RecoveryPolicy restart = FAST.withStrategy(RecoveryPolicy.Strategy.RESTART_DEDUPE);
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(d).build().start();
        GroqProvider p = provider(server, restart)) {
      TokenStream stream = p.stream(ChatRequest.ofUser(MatrixDispatcher.prompt(50)));
      TestSubscriber<StreamEvent> sub = TestSubscriber.create();
      stream.subscribe(sub);
      sub.awaitTerminal(WAIT).assertNoViolations();
      assertThat(sub.error()).isNull();
      List<StreamEvent> events = sub.values();
      int recovering = indexOf(events, StreamEvent.Recovering.class);
      int replaced = indexOf(events, StreamEvent.Replaced.class);
      assertThat(text(events, 0, recovering)).isEqualTo(d.chunks(50));
      assertThat(replaced).isGreaterThan(recovering);
      StreamEvent.Replaced r = (StreamEvent.Replaced) events.get(replaced);
      // the UI redraws from the Replaced text, then appends: never a mix of the two answers
      assertThat(r.text() + text(events, replaced + 1, events.size())).isEqualTo(other);
      assertThat(text(events, recovering, replaced)).as("nothing of the new answer before Replaced").isEmpty();
      assertThat(stream.partial().text()).isEqualTo(other);
      assertThat(count(events, StreamEvent.Replaced.class)).isEqualTo(1);
    }
  }

  @Test
  void continueThroughTheUiSinkShowsOneContinuousTextForEveryCut() throws Exception {
    MatrixDispatcher d = new MatrixDispatcher(MatrixDispatcher.reference());
    UiConfig options = UiConfig.defaults().withWindow(Duration.ofMillis(1));
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(d).build().start();
        GroqProvider p = provider(server, FAST)) {
      for (int k = 1; k <= ANSWER_CHUNKS; k++) {
        RecordingSink sink = new RecordingSink();
        UiConnection c = UiConnection.connect(p.stream(ChatRequest.ofUser(MatrixDispatcher.prompt(k))), sink, Runnable::run, options);
        ChatResponse done = c.done().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        sink.awaitTerminal(WAIT).assertNoViolations();
        assertThat(String.join("", sink.textBatches())).as("k=%d: the batches joined", k).isEqualTo(underContinue(d, k));
        assertThat(sink.shownText()).as("k=%d", k).isEqualTo(underContinue(d, k));
        assertThat(sink.replacedCount()).as("k=%d: never asked to redraw", k).isZero();
        assertThat(sink.recoveringAttempts()).as("k=%d", k).containsExactly(1);
        assertThat(sink.isCompleted()).isTrue();
        assertThat(done.text()).isEqualTo(underContinue(d, k));
        assertThat(c.metrics().recoveries()).isEqualTo(1);
      }
      assertThat(d.problems).isEmpty();
    }
  }
}
