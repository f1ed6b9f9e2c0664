package dev.llmstream.groq;

import static dev.llmstream.groq.Wire.textChunk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: cancelling mid-stream closes the connection (observed by the server) and delivers nothing
 * after the cancel, 1,000 times in a row against one server.
 */
class CancelRepeatedlyTest {

  @Test
  void cancelMidStreamThousandTimes() throws Exception {
    // several events in one write, so the client has more buffered when it cancels; then silence until
    // the client closes the connection
    try (FakeGroqServer server = FakeGroqServer.builder()
            .always(ResponseScript.builder()
                .rawBody(List.of(Wire.utf8(textChunk("a") + textChunk("b") + textChunk("c") + textChunk("d"))))
                .stallAfter(1).header("x-request-id", "req_scripted").build())
            .build().start();
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
        assertThat(server.awaitEnded(i, Duration.ofSeconds(10)).ending()).as("server observed the close, round %d", i)
            .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
        assertThat(rec.valuesAfterCancel()).as("events after cancel, round %d", i).isZero();
        assertThat(rec.values()).as("round %d", i).containsExactly(new StreamEvent.Waiting("req_scripted"), new StreamEvent.TextDelta("a"));
      }
      assertThat(server.requests()).hasSize(1_000);
      // each request's connection was closed by its cancel, so no connection carried two requests
      assertThat(server.connections()).allSatisfy(c -> assertThat(c.ending()).isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT));
    }
  }
}
