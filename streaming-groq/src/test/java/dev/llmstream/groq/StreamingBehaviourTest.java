package dev.llmstream.groq;

import static dev.llmstream.groq.ScriptedServer.finishChunk;
import static dev.llmstream.groq.ScriptedServer.textChunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.StreamTimeoutException;
import dev.llmstream.core.TokenStream;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The provider against a raw loopback server that controls every byte and observes the client closing
 * the connection: cancellation, timeouts on a virtual clock, completion without waiting for the close,
 * UTF-8 split across network reads, concurrency.
 */
class StreamingBehaviourTest {
  private static final Duration NEVER = Duration.ofHours(1);
  private static final Duration CLOCK_WAIT = Duration.ofSeconds(10);

  private static GroqProvider.Builder builder(ScriptedServer server, VirtualScheduler clock) {
    return GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").scheduler(clock);
  }

  @Test
  void cancellingTheSubscriptionClosesTheConnectionAndDeliversNothingMore() throws Exception {
    LinkedBlockingQueue<Boolean> closed = new LinkedBlockingQueue<>();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          x.chunk(textChunk("one") + textChunk("two") + textChunk("three"));
          closed.add(x.awaitClientClose());
        });
        GroqProvider p = builder(server, new VirtualScheduler()).build()) {
      CompletableFuture<Void> cancelled = new CompletableFuture<>();
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create().doOnNext((self, e) -> {
        if (e instanceof StreamEvent.TextDelta && !cancelled.isDone()) {
          self.cancel(); // on the first token
          cancelled.complete(null);
        }
      });
      TokenStream stream = p.stream(ChatRequest.ofUser("x"));
      stream.subscribe(rec);
      cancelled.get(10, TimeUnit.SECONDS);
      assertThat(closed.poll(10, TimeUnit.SECONDS)).as("server saw the connection close").isTrue();
      assertThat(rec.valuesAfterCancel()).isZero();
      assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
      assertThat(stream.partial().text()).isEqualTo("one");
    }
  }

  @Test
  void cancellingTheTokenFinishesWithCancelledAndClosesTheConnection() throws Exception {
    LinkedBlockingQueue<Boolean> closed = new LinkedBlockingQueue<>();
    CompletableFuture<Void> firstSent = new CompletableFuture<>();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          x.chunk(textChunk("partial"));
          firstSent.complete(null);
          closed.add(x.awaitClientClose());
        });
        GroqProvider p = builder(server, new VirtualScheduler()).build()) {
      CancellationToken token = CancellationToken.create();
      AtomicInteger texts = new AtomicInteger();
      CompletableFuture<Void> gotText = new CompletableFuture<>();
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create().doOnNext((self, e) -> {
        if (e instanceof StreamEvent.TextDelta) {
          texts.incrementAndGet();
          gotText.complete(null);
        }
      });
      TokenStream stream = p.stream(ChatRequest.ofUser("x"), token);
      stream.subscribe(rec);
      gotText.get(10, TimeUnit.SECONDS);
      token.cancel();
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(closed.poll(10, TimeUnit.SECONDS)).isTrue();
      assertThat(rec.values().get(rec.values().size() - 1)).isEqualTo(StreamEvent.Finish.of(FinishReason.CANCELLED));
      assertThat(stream.partial().text()).isEqualTo("partial");
      assertThat(stream.partial().finishReason()).isEqualTo(FinishReason.CANCELLED);
    }
  }

  @Test
  void cancellingBeforeTheResponseHeadersClosesTheConnection() throws Exception {
    LinkedBlockingQueue<Boolean> closed = new LinkedBlockingQueue<>();
    CompletableFuture<Void> requestRead = new CompletableFuture<>();
    VirtualScheduler clock = new VirtualScheduler();
    try (ScriptedServer server = new ScriptedServer(x -> {
          requestRead.complete(null);
          closed.add(x.awaitClientClose()); // never answers
        });
        GroqProvider p = builder(server, clock).firstTokenTimeout(NEVER).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      TokenStream stream = p.stream(ChatRequest.ofUser("x"));
      stream.subscribe(rec);
      requestRead.get(10, TimeUnit.SECONDS);
      rec.cancel();
      assertThat(closed.poll(10, TimeUnit.SECONDS)).as("server saw the close").isTrue();
      assertThat(rec.values()).isEmpty();
      assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
      assertThat(clock.pendingTasks()).as("first-token timer released").isZero();
    }
  }

  @Test
  void completesOnTheFinalChunkWithoutDoneAndWithoutTheServerClosing() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    LinkedBlockingQueue<Boolean> closed = new LinkedBlockingQueue<>();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          x.chunk(textChunk("hi") + GroqProviderHttpTest.groqFinish("stop"));
          closed.add(x.awaitClientClose()); // never sends [DONE], never ends the body
        });
        GroqProvider p = builder(server, clock).idleTimeout(NEVER).firstTokenTimeout(NEVER).build()) {
      ChatResponse r = p.stream(ChatRequest.ofUser("x")).collect().get(10, TimeUnit.SECONDS);
      assertThat(r.text()).isEqualTo("hi");
      assertThat(clock.pendingTasks()).as("timers released on completion").isZero();
      assertThat(r.usage().totalTokens()).isEqualTo(8);
      assertThat(closed.poll(10, TimeUnit.SECONDS)).as("the finished exchange is released").isTrue();
    }
  }

  @Test
  void doneCompletesAtOnceToo() throws Exception {
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          x.chunk(textChunk("a") + finishChunk("stop") + "data: [DONE]\n\n");
          x.awaitClientClose();
        });
        GroqProvider p = builder(server, new VirtualScheduler()).idleTimeout(NEVER).firstTokenTimeout(NEVER).build()) {
      ChatResponse r = p.stream(ChatRequest.ofUser("x")).collect().get(10, TimeUnit.SECONDS);
      assertThat(r.text()).isEqualTo("a");
      assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    }
  }

  @Test
  void finishWithoutUsageThenSilenceCompletesOnTheIdleTimer() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          x.chunk(textChunk("a") + finishChunk("length"));
          x.awaitClientClose();
        });
        GroqProvider p = builder(server, clock).idleTimeout(Duration.ofSeconds(5)).firstTokenTimeout(NEVER).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      p.stream(ChatRequest.ofUser("x")).subscribe(rec);
      awaitEvents(rec, 2);
      advanceTimersUntil(clock, Duration.ofSeconds(5), rec.whenTerminated());
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(rec.values().get(rec.values().size() - 1)).isEqualTo(new StreamEvent.Finish(FinishReason.LENGTH, "length"));
    }
  }

  @Test
  void aStallingServerFailsWithTheIdleTimeoutAndThePartialAnswer() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    LinkedBlockingQueue<Boolean> closed = new LinkedBlockingQueue<>();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          x.chunk(": keep-alive\n\n" + textChunk("so far"));
          closed.add(x.awaitClientClose());
        });
        GroqProvider p = builder(server, clock).idleTimeout(Duration.ofSeconds(10)).firstTokenTimeout(NEVER)
            .recovery(RecoveryPolicy.disabled()).build()) { // recovery: see dev.llmstream.groq.recovery
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      p.stream(ChatRequest.ofUser("x")).subscribe(rec);
      awaitEvents(rec, 2);
      clock.advance(Duration.ofSeconds(9));
      assertThat(rec.whenTerminated()).as("nothing fires before the idle timeout").isNotDone();
      // the idle time counts from when the client asked for more bytes: the subscriber's next pull may
      // land after the 9 s above (the timer then re-arms for the rest), hence stepping, not one jump
      advanceTimersUntil(clock, Duration.ofSeconds(1), rec.whenTerminated());
      Throwable t = rec.awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(StreamTimeoutException.class);
      assertThat(((StreamTimeoutException) t).phase()).isEqualTo(StreamTimeoutException.Phase.IDLE);
      assertThat(((StreamException) t).partial().text()).isEqualTo("so far");
      assertThat(closed.poll(10, TimeUnit.SECONDS)).isTrue();
      assertThat(clock.pendingTasks()).isZero();
    }
  }

  @Test
  void firstTokenTimeoutIsRetriedAndTheRetrySucceeds() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    AtomicInteger connection = new AtomicInteger();
    CompletableFuture<Boolean> firstClosed = new CompletableFuture<>();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          if (connection.incrementAndGet() == 1) {
            // stalls before the first token; the client may time out and close the connection before
            // the comment is written (the test advances the clock as soon as the headers arrived)
            firstClosed.complete(x.chunkThenAwaitClientClose(": queued\n\n"));
          } else {
            x.chunk(textChunk("fresh") + GroqProviderHttpTest.groqFinish("stop"));
            x.awaitClientClose();
          }
        });
        GroqProvider p = builder(server, clock).firstTokenTimeout(Duration.ofSeconds(20)).idleTimeout(NEVER).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      p.stream(ChatRequest.ofUser("x")).subscribe(rec);
      awaitEvents(rec, 1); // Waiting: headers arrived
      advanceUntil(clock, Duration.ofSeconds(20), firstClosed);
      assertThat(firstClosed.get()).as("the stalled connection was closed").isTrue();
      // the retry's backoff (0.5 s with jitter) may already be over if the close took more than one step
      advanceUntil(clock, Duration.ofMillis(500), rec.whenTerminated());
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(rec.values()).contains(new StreamEvent.TextDelta("fresh"));
      assertThat(rec.values().stream().filter(e -> e instanceof StreamEvent.Waiting)).hasSize(1);
    }
  }

  @Test
  void firstTokenTimeoutFailsWhenRetriesRunOut() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.awaitClientClose(); // never answers
        });
        GroqProvider p = builder(server, clock).firstTokenTimeout(Duration.ofSeconds(20)).maxRetries(0).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      p.stream(ChatRequest.ofUser("x")).subscribe(rec);
      clock.awaitScheduled(1, CLOCK_WAIT);
      advanceTimersUntil(clock, Duration.ofSeconds(20), rec.whenTerminated());
      Throwable t = rec.awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(StreamTimeoutException.class);
      assertThat(((StreamTimeoutException) t).phase()).isEqualTo(StreamTimeoutException.Phase.FIRST_TOKEN);
    }
  }

  @Test
  void utf8SplitAtEveryBytePositionAcrossNetworkWrites() throws Exception {
    String text = "Grüße 😀 日本";
    byte[] whole = (textChunk(text) + GroqProviderHttpTest.groqFinish("stop")).getBytes(StandardCharsets.UTF_8);
    AtomicInteger cut = new AtomicInteger();
    try (ScriptedServer server = new ScriptedServer(x -> {
          int at = cut.get();
          x.startSse();
          x.chunk(java.util.Arrays.copyOfRange(whole, 0, at));
          x.chunk(java.util.Arrays.copyOfRange(whole, at, whole.length));
          x.end();
        });
        GroqProvider p = builder(server, new VirtualScheduler()).build()) {
      int start = new String(whole, StandardCharsets.UTF_8).indexOf("Gr");
      for (int at = start; at < start + text.getBytes(StandardCharsets.UTF_8).length + 2; at++) {
        cut.set(at);
        ChatResponse r = p.stream(ChatRequest.ofUser("x")).collect().get(10, TimeUnit.SECONDS);
        assertThat(r.text()).as("split at byte %d", at).isEqualTo(text);
      }
    }
  }

  @Test
  void oneProviderServesManyConcurrentStreams() throws Exception {
    try (ScriptedServer server = new ScriptedServer(x -> {
          String who = x.requestBody.replaceAll("(?s).*\"content\":\"([^\"]*)\".*", "$1");
          x.startSse();
          for (int i = 0; i < 20; i++) {
            x.chunk(textChunk(who + i + " "));
          }
          x.chunk(GroqProviderHttpTest.groqFinish("stop"));
          x.end();
        });
        GroqProvider p = builder(server, new VirtualScheduler()).build()) {
      List<CompletableFuture<ChatResponse>> all = new ArrayList<>();
      for (int u = 0; u < 40; u++) {
        all.add(p.stream(ChatRequest.ofUser("user" + u)).collect());
      }
      for (int u = 0; u < 40; u++) {
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20; i++) {
          expected.append("user").append(u).append(i).append(' ');
        }
        assertThat(all.get(u).get(20, TimeUnit.SECONDS).text()).isEqualTo(expected.toString());
      }
    }
  }

  @Test
  void inlineDeliveryRunsTheSubscriberOnTheHttpClientsIoThreadAndTheDefaultOnItsPool() throws Exception {
    assertThat(deliveringThreads(true)).isNotEmpty().allSatisfy(t -> assertThat(t).contains("SelectorManager"));
    assertThat(deliveringThreads(false)).isNotEmpty().allSatisfy(t -> assertThat(t).contains("-Worker-"));
  }

  /** The threads that called onNext with text, the text being sent only once the stream waits for it. */
  private static java.util.Set<String> deliveringThreads(boolean inline) throws Exception {
    CompletableFuture<Void> go = new CompletableFuture<>();
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          go.get(10, TimeUnit.SECONDS);
          x.chunk(textChunk("in") + textChunk("line") + GroqProviderHttpTest.groqFinish("stop"));
          x.awaitClientClose();
        });
        GroqProvider p = builder(server, new VirtualScheduler()).inlineDelivery(inline).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create().doOnNext((self, e) -> {
        if (e instanceof StreamEvent.TextDelta) {
          threads.add(Thread.currentThread().getName());
        }
      });
      TokenStream stream = p.stream(ChatRequest.ofUser("x"));
      stream.subscribe(rec);
      awaitEvents(rec, 1); // Waiting: the headers are in and the stream asks for the body
      go.complete(null);
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(stream.partial().text()).isEqualTo("inline");
    }
    return threads;
  }

  @Test
  void bytesAreReadOnlyAsDemandAllows() throws Exception {
    CompletableFuture<Void> serverDone = new CompletableFuture<>();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          for (int i = 0; i < 5; i++) {
            x.chunk(textChunk("t" + i));
          }
          x.chunk(GroqProviderHttpTest.groqFinish("stop"));
          x.end();
          serverDone.complete(null);
        });
        GroqProvider p = builder(server, new VirtualScheduler()).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>withInitialRequest(2);
      TokenStream stream = p.stream(ChatRequest.ofUser("x"));
      stream.subscribe(rec);
      awaitEvents(rec, 2);
      serverDone.get(10, TimeUnit.SECONDS);
      assertThat(rec.values()).hasSize(2); // Waiting + one token, no more without demand
      rec.request(Long.MAX_VALUE);
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(stream.partial().text()).isEqualTo("t0t1t2t3t4");
    }
  }

  /**
   * Advances virtual time by {@code step} until {@code done} completes (bounded), waiting up to a second
   * of real time after each step for effects outside the clock: the server seeing a close, a response
   * arriving over loopback.
   */
  static void advanceUntil(VirtualScheduler clock, Duration step, CompletableFuture<?> done) throws Exception {
    for (int i = 0; i < 40 && !done.isDone(); i++) {
      clock.advance(step);
      awaitQuietly(done, 1);
    }
    assertThat(done).as("done after advancing virtual time").isDone();
  }

  /**
   * Advances virtual time by {@code step} until {@code done}, an outcome of the stream's own timers,
   * completes. After each step it waits (bounded, real time) only until the stream has reacted to the
   * timers that fired: {@code done} completed, or a timer was armed again. Event-driven, no sleeps: a
   * slow machine makes it slower, never wrong.
   */
  static void advanceTimersUntil(VirtualScheduler clock, Duration step, CompletableFuture<?> done) throws Exception {
    for (int i = 0; i < 100 && !done.isDone(); i++) {
      CompletableFuture<Void> armed = clock.nextSchedule();
      clock.advance(step);
      if (clock.pendingTasks() == 0) {
        awaitQuietly(CompletableFuture.anyOf(done, armed), 10);
      }
    }
    assertThat(done).as("done after advancing virtual time").isDone();
  }

  /** Waits for {@code f} up to {@code seconds}; its outcome is the caller's to check. */
  private static void awaitQuietly(CompletableFuture<?> f, int seconds) throws InterruptedException {
    try {
      f.get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // not done yet, or done with an error the caller asserts on
    }
  }

  static void awaitEvents(TestSubscriber<StreamEvent> rec, int n) {
    rec.awaitCount(n, CLOCK_WAIT);
  }
}
