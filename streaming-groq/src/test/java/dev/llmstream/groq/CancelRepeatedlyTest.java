package dev.llmstream.groq;

import static dev.llmstream.groq.ScriptedServer.textChunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.testkit.TestSubscriber;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: cancelling mid-stream closes the connection (observed by the server) and delivers nothing
 * after the cancel, 1,000 times in a row against one server.
 */
class CancelRepeatedlyTest {

  @Test
  void cancelMidStreamThousandTimes() throws Exception {
    Semaphore closes = new Semaphore(0);
    AtomicInteger notClosed = new AtomicInteger();
    try (ScriptedServer server = new ScriptedServer(x -> {
          x.startSse();
          // several events in one write: the client has more buffered when it cancels
          x.chunk(textChunk("a") + textChunk("b") + textChunk("c") + textChunk("d"));
          if (x.awaitClientClose()) {
            closes.release();
          } else {
            notClosed.incrementAndGet();
          }
        });
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").build()) {
      for (int i = 0; i < 1_000; i++) {
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        TestSubscriber<StreamEvent> rec = TestSubscriber.<StreamEvent>create().doOnNext((self, e) -> {
          if (e instanceof StreamEvent.TextDelta && !cancelled.isDone()) {
            self.cancel(); // on the first token
            cancelled.complete(null);
          }
        });
        p.stream(ChatRequest.ofUser("x")).subscribe(rec);
        cancelled.get(10, TimeUnit.SECONDS);
        assertThat(closes.tryAcquire(10, TimeUnit.SECONDS)).as("server observed the close, round %d", i).isTrue();
        assertThat(rec.valuesAfterCancel()).as("events after cancel, round %d", i).isZero();
        assertThat(rec.values()).as("round %d", i).containsExactly(new StreamEvent.Waiting("req_scripted"), new StreamEvent.TextDelta("a"));
      }
      assertThat(notClosed.get()).isZero();
      assertThat(server.connections.get()).isEqualTo(1_000);
    }
  }
}
