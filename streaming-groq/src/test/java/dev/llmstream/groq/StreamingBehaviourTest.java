package dev.llmstream.groq;

import static dev.llmstream.groq.Wire.finishChunk;
import static dev.llmstream.groq.Wire.textChunk;
import static dev.llmstream.groq.Wire.utf8;
import static dev.llmstream.groq.Wire.writeThenStall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.TokenStream;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The provider against the testkit's fake server writing exact bytes ({@code ResponseScript.rawBody}) and
 * observing the client closing the connection: cancellation, timeouts on a virtual clock, completion
 * without waiting for the close, UTF-8 split across network reads, concurrency.
 */
class StreamingBehaviourTest {
  private static final Duration NEVER = Duration.ofHours(1);
  private static final Duration CLOCK_WAIT = Duration.ofSeconds(10);

  /** A fake that answers each request with {@code script}. */
  private static FakeGroqServer serve(ResponseScript script) {
    return FakeGroqServer.builder().always(script).build().start();
  }

  /** A fake that never writes anything, not even headers: its clock is never moved. */
  private static FakeGroqServer silent() {
    return FakeGroqServer.builder().scheduler(new VirtualScheduler()).build().start();
  }

  /** Whether the client closed the connection of request {@code index} (waits, bounded). */
  private static boolean closedByClient(FakeGroqServer server, int index) {
    return server.awaitEnded(index, CLOCK_WAIT).ending() == ConnectionRecord.Ending.CLOSED_BY_CLIENT;
  }

  private static GroqProvider.Builder builder(FakeGroqServer server, VirtualScheduler clock) {
    return GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").scheduler(clock);
  }

  @Test
  void cancellingTheSubscriptionClosesTheConnectionAndDeliversNothingMore() throws Exception {
    try (FakeGroqServer server = serve(writeThenStall(textChunk("one") + textChunk("two") + textChunk("three")));
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
      assertThat(closedByClient(server, 0)).as("server saw the connection close").isTrue();
      assertThat(rec.valuesAfterCancel()).isZero();
      assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
      assertThat(stream.partial().text()).isEqualTo("one");
    }
  }

  @Test
  void cancellingTheTokenFinishesWithCancelledAndClosesTheConnection() throws Exception {
    try (FakeGroqServer server = serve(writeThenStall(textChunk("partial")));
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
      assertThat(closedByClient(server, 0)).isTrue();
      assertThat(rec.values().get(rec.values().size() - 1)).isEqualTo(StreamEvent.Finish.of(FinishReason.CANCELLED));
      assertThat(stream.partial().text()).isEqualTo("partial");
      assertThat(stream.partial().finishReason()).isEqualTo(FinishReason.CANCELLED);
    }
  }

  @Test
  void cancellingBeforeTheResponseHeadersClosesTheConnection() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = silent();
        GroqProvider p = builder(server, clock).firstTokenTimeout(NEVER).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      TokenStream stream = p.stream(ChatRequest.ofUser("x"));
      stream.subscribe(rec);
      server.awaitRequests(1, CLOCK_WAIT);
      rec.cancel();
      assertThat(closedByClient(server, 0)).as("server saw the close").isTrue();
      assertThat(rec.values()).isEmpty();
      assertThat(stream.state()).isEqualTo(StreamState.CANCELLED);
      assertThat(clock.pendingTasks()).as("first-token timer released").isZero();
    }
  }

  @Test
  void completesOnTheFinalChunkWithoutDoneAndWithoutTheServerClosing() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    // never sends [DONE], never ends the body
    try (FakeGroqServer server = serve(writeThenStall(textChunk("hi") + GroqProviderHttpTest.groqFinish("stop")));
        GroqProvider p = builder(server, clock).idleTimeout(NEVER).firstTokenTimeout(NEVER).build()) {
      ChatResponse r = p.stream(ChatRequest.ofUser("x")).collect().get(10, TimeUnit.SECONDS);
      assertThat(r.text()).isEqualTo("hi");
      assertThat(r.usage().totalTokens()).isEqualTo(8);
      // the rest of the body is read (for the connection's reuse) within the finish grace, then cancelled
      assertThat(clock.pendingTasks()).as("only the body's drain deadline is left").isEqualTo(1);
      assertThat(clock.nextDelay()).isEqualTo(Duration.ofMillis(GroqDefaults.FINISH_GRACE_MILLIS));
      assertThat(server.connections().get(0).ending()).isEqualTo(ConnectionRecord.Ending.OPEN);
      clock.advance(Duration.ofMillis(GroqDefaults.FINISH_GRACE_MILLIS));
      assertThat(closedByClient(server, 0)).as("the finished exchange is released").isTrue();
      assertThat(clock.pendingTasks()).as("timers released").isZero();
    }
  }

  @Test
  void aBodyThatEndsAfterDoneIsReadToItsEndSoTheConnectionIsReused() throws Exception {
    // [DONE], then 100 ms later a comment and the body's end: the answer completes at [DONE], and the
    // client reads the rest instead of closing the connection (HTTP/1.1 keep-alive)
    ResponseScript script = ResponseScript.builder()
        .rawBody(List.of(utf8(textChunk("a") + finishChunk("stop") + "data: [DONE]\n\n"), utf8(": bye\n\n")))
        .tokensPerSecond(10)
        .build();
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = serve(script);
        GroqProvider p = builder(server, clock).idleTimeout(NEVER).firstTokenTimeout(NEVER).build()) {
      for (int i = 0; i < 2; i++) {
        ChatResponse r = p.stream(ChatRequest.ofUser("x")).collect().get(10, TimeUnit.SECONDS);
        assertThat(r.text()).isEqualTo("a");
        assertThat(server.awaitEnded(i, CLOCK_WAIT).ending()).isEqualTo(ConnectionRecord.Ending.COMPLETED);
        // the client sees the body's end just after the server wrote it: wait (real time, bounded) for it
        long until = System.nanoTime() + CLOCK_WAIT.toNanos();
        while (clock.pendingTasks() > 0 && System.nanoTime() < until) {
          Thread.onSpinWait();
        }
        assertThat(clock.pendingTasks()).as("the drain deadline is cancelled when the body ends").isZero();
      }
      assertThat(server.openConnections()).as("one connection, kept and reused").isEqualTo(1);
    }
  }

  @Test
  void doneCompletesAtOnceToo() throws Exception {
    try (FakeGroqServer server = serve(writeThenStall(textChunk("a") + finishChunk("stop") + "data: [DONE]\n\n"));
        GroqProvider p = builder(server, new VirtualScheduler()).idleTimeout(NEVER).firstTokenTimeout(NEVER).build()) {
      ChatResponse r = p.stream(ChatRequest.ofUser("x")).collect().get(10, TimeUnit.SECONDS);
      assertThat(r.text()).isEqualTo("a");
      assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    }
  }

  @Test
  void finishWithoutUsageThenSilenceCompletesOnTheIdleTimer() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = serve(writeThenStall(textChunk("a") + finishChunk("length")));
        GroqProvider p = builder(server, clock).idleTimeout(Duration.ofSeconds(5)).firstTokenTimeout(NEVER).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      p.stream(ChatRequest.ofUser("x")).subscribe(rec);
      awaitEvents(rec, 2);
      // the usage grace is armed once the finish is decoded: advancing before would race the stall watchdog
      assertThat(clock.awaitPendingBelow(Duration.ofSeconds(3), CLOCK_WAIT)).isEqualTo(Duration.ofSeconds(2));
      advanceTimersUntil(clock, Duration.ofSeconds(5), rec.whenTerminated());
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(rec.values().get(rec.values().size() - 1)).isEqualTo(new StreamEvent.Finish(FinishReason.LENGTH, "length"));
    }
  }

  @Test
  void aStallingServerFailsWithTheIdleTimeoutAndThePartialAnswer() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = serve(writeThenStall(": keep-alive\n\n" + textChunk("so far")));
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
      assertThat(t).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.TIMEOUT);
      assertThat(((StreamException) t).timeoutPhase()).isEqualTo(StreamState.STREAMING);
      assertThat(((StreamException) t).partial().text()).isEqualTo("so far");
      assertThat(closedByClient(server, 0)).isTrue();
      assertThat(clock.pendingTasks()).isZero();
    }
  }

  @Test
  void firstTokenTimeoutWithoutAnyResponseIsRetriedAndTheRetrySucceeds() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    // the first request gets no response at all (its status line is due in an hour), the retry answers
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().slowHeaders(Duration.ofHours(1)).build())
            .always(writeThenStall(textChunk("fresh") + GroqProviderHttpTest.groqFinish("stop")))
            .build().start();
        GroqProvider p = builder(server, clock).firstTokenTimeout(Duration.ofSeconds(20)).idleTimeout(NEVER).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      p.stream(ChatRequest.ofUser("x")).subscribe(rec);
      server.awaitRequests(1, CLOCK_WAIT);
      CompletableFuture<Boolean> firstClosed = CompletableFuture.supplyAsync(() -> closedByClient(server, 0));
      advanceUntil(clock, Duration.ofSeconds(20), firstClosed);
      assertThat(firstClosed.get()).as("the silent connection was closed").isTrue();
      // the retry's backoff (0.5 s with jitter) may already be over if the close took more than one step
      advanceUntil(clock, Duration.ofMillis(500), rec.whenTerminated());
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(rec.values()).contains(new StreamEvent.TextDelta("fresh"));
      assertThat(rec.values().stream().filter(e -> e instanceof StreamEvent.Waiting)).hasSize(1);
      assertThat(server.requests()).hasSize(2);
    }
  }

  @Test
  void firstTokenTimeoutAfterHeadersIsNotRetried() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    // the server took the request (headers and a comment); its model never says anything
    try (FakeGroqServer server = serve(writeThenStall(": queued\n\n"));
        GroqProvider p = builder(server, clock).firstTokenTimeout(Duration.ofSeconds(20)).idleTimeout(NEVER).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      p.stream(ChatRequest.ofUser("x")).subscribe(rec);
      awaitEvents(rec, 1); // Waiting: headers arrived
      advanceUntil(clock, Duration.ofSeconds(20), rec.whenTerminated());
      Throwable t = rec.awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(StreamException.class);
      assertThat(((StreamException) t).kind()).isEqualTo(ErrorKind.TIMEOUT);
      assertThat(((StreamException) t).timeoutPhase()).isEqualTo(StreamState.WAITING_FIRST_TOKEN);
      assertThat(closedByClient(server, 0)).as("the silent connection was closed").isTrue();
      assertThat(server.requests()).as("the prompt was sent once").hasSize(1);
    }
  }

  @Test
  void firstTokenTimeoutFailsWhenRetriesRunOut() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    try (FakeGroqServer server = silent();
        GroqProvider p = builder(server, clock).firstTokenTimeout(Duration.ofSeconds(20)).maxRetries(0).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create();
      p.stream(ChatRequest.ofUser("x")).subscribe(rec);
      clock.awaitScheduled(1, CLOCK_WAIT);
      advanceTimersUntil(clock, Duration.ofSeconds(20), rec.whenTerminated());
      Throwable t = rec.awaitError(CLOCK_WAIT);
      assertThat(t).isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.TIMEOUT);
      assertThat(((StreamException) t).timeoutPhase()).isEqualTo(StreamState.WAITING_FIRST_TOKEN);
    }
  }

  @Test
  void utf8SplitAtEveryBytePositionAcrossNetworkWrites() throws Exception {
    String text = "Grüße 😀 日本";
    byte[] whole = (textChunk(text) + GroqProviderHttpTest.groqFinish("stop")).getBytes(StandardCharsets.UTF_8);
    AtomicInteger cut = new AtomicInteger();
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(request -> Wire.writes(List.of(
            java.util.Arrays.copyOfRange(whole, 0, cut.get()),
            java.util.Arrays.copyOfRange(whole, cut.get(), whole.length)))).build().start();
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
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(request -> {
          String who = request.lastUserMessage();
          List<byte[]> writes = new ArrayList<>();
          for (int i = 0; i < 20; i++) {
            writes.add(Wire.utf8(textChunk(who + i + " ")));
          }
          writes.add(Wire.utf8(GroqProviderHttpTest.groqFinish("stop")));
          return Wire.writes(writes);
        }).build().start();
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
    assertThat(deliveringThreads(false)).isNotEmpty().allSatisfy(t -> assertThat(t).startsWith("llmstream-delivery-"));
  }

  /**
   * Why inline delivery is opt-in: by default a subscriber that blocks in {@code onNext} holds one of the
   * client's pool threads, not its I/O thread, so another stream of the same provider still reads, parses
   * and completes while the first is blocked.
   */
  @Test
  void aSubscriberBlockedInOnNextDoesNotStallAnotherStreamOfTheSameProviderByDefault() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    CompletableFuture<Void> blocked = new CompletableFuture<>();
    try (FakeGroqServer server = serve(ResponseScript.builder()
            .rawBody(List.of(Wire.utf8(textChunk("a") + textChunk("b") + GroqProviderHttpTest.groqFinish("stop"))))
            .build());
        GroqProvider p = builder(server, new VirtualScheduler()).build()) {
      TestSubscriber<StreamEvent> stuck = TestSubscriber.<StreamEvent>create().doOnNext((self, e) -> {
        if (e instanceof StreamEvent.TextDelta && !blocked.isDone()) {
          blocked.complete(null);
          try {
            release.await(); // a subscriber doing blocking work on the delivering thread
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
          }
        }
      });
      TokenStream first = p.stream(ChatRequest.ofUser("first"));
      first.subscribe(stuck);
      blocked.get(10, TimeUnit.SECONDS);

      TestSubscriber<StreamEvent> other = TestSubscriber.create();
      TokenStream second = p.stream(ChatRequest.ofUser("second"));
      second.subscribe(other);
      other.awaitComplete(CLOCK_WAIT);
      assertThat(second.partial().text()).isEqualTo("ab");
      assertThat(first.state()).as("the blocked stream is still inside onNext").isNotEqualTo(StreamState.COMPLETED);

      release.countDown();
      stuck.awaitComplete(CLOCK_WAIT);
      assertThat(first.partial().text()).isEqualTo("ab");
    } finally {
      release.countDown();
    }
  }

  /** The threads that called onNext with text, the text being sent only once the stream waits for it. */
  private static java.util.Set<String> deliveringThreads(boolean inline) throws Exception {
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // the fake writes on its own virtual clock: the headers when the test runs it, the body a second later
    VirtualScheduler serverClock = new VirtualScheduler();
    try (FakeGroqServer server = FakeGroqServer.builder().scheduler(serverClock)
            .always(ResponseScript.builder()
                .rawBody(List.of(Wire.utf8(textChunk("in") + textChunk("line") + GroqProviderHttpTest.groqFinish("stop"))))
                .timeToFirstToken(Duration.ofSeconds(1)).stallAfter(1).build())
            .build().start();
        GroqProvider p = builder(server, new VirtualScheduler()).inlineDelivery(inline).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create().doOnNext((self, e) -> {
        if (e instanceof StreamEvent.TextDelta) {
          threads.add(Thread.currentThread().getName());
        }
      });
      TokenStream stream = p.stream(ChatRequest.ofUser("x"));
      stream.subscribe(rec);
      server.awaitRequests(1, CLOCK_WAIT);
      serverClock.runDue(); // the headers
      awaitEvents(rec, 1); // Waiting: the headers are in and the stream asks for the body
      serverClock.advance(Duration.ofSeconds(1)); // the body
      rec.awaitComplete(CLOCK_WAIT);
      assertThat(stream.partial().text()).isEqualTo("inline");
    }
    return threads;
  }

  @Test
  void bytesAreReadOnlyAsDemandAllows() throws Exception {
    List<byte[]> writes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      writes.add(Wire.utf8(textChunk("t" + i)));
    }
    writes.add(Wire.utf8(GroqProviderHttpTest.groqFinish("stop")));
    try (FakeGroqServer server = serve(Wire.writes(writes));
        GroqProvider p = builder(server, new VirtualScheduler()).build()) {
      TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>withInitialRequest(2);
      TokenStream stream = p.stream(ChatRequest.ofUser("x"));
      stream.subscribe(rec);
      awaitEvents(rec, 2);
      server.awaitEnded(0, CLOCK_WAIT); // the whole body is written (it fits the socket buffers)
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
      Duration due = clock.nextDelay();
      CompletableFuture<Void> armed = clock.nextSchedule();
      clock.advance(step);
      if (due != null && due.compareTo(step) <= 0) { // a timer fired (the stall watchdog is always pending)
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
