package dev.llmstream.groq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The testkit's {@code timeToFirstToken} as a user's test meets it (issue #12, item 7): the fake and the
 * provider on one virtual clock, the first text arrives at exactly the configured time, not a token gap
 * later.
 */
class TimeToFirstTokenTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void textAppearsAtTheTimeToFirstTokenOnTheVirtualClock() {
    VirtualScheduler clock = new VirtualScheduler();
    Duration ttft = Duration.ofMillis(300);
    try (FakeGroqServer server = FakeGroqServer.builder().scheduler(clock)
            .always(ResponseScript.builder().text("Hello there").timeToFirstToken(ttft).tokensPerSecond(20).build())
            .build().start();
        GroqProvider groq = GroqProvider.builder().baseUrl(server.baseUrl()).apiKey("test-key").defaultModel("m")
            .scheduler(clock).build()) {
      TestSubscriber<StreamEvent> events = TestSubscriber.<StreamEvent>create().timedBy(clock::nanoTime);
      groq.stream(ChatRequest.ofUser("Say hello")).subscribe(events);
      server.awaitRequests(1, WAIT);
      clock.runDue(); // the response headers
      events.awaitCount(1, WAIT);
      assertThat(events.values()).singleElement().isInstanceOf(StreamEvent.Waiting.class);

      clock.advance(ttft.minusMillis(1));
      assertThat(server.connections().get(0).chunksSent()).as("nothing written before 300 ms").isZero();
      clock.advance(Duration.ofMillis(1));
      events.awaitCount(2, WAIT); // before the fix only the content-less role chunk came now: this timed out

      StreamEvent first = events.values().get(1);
      assertThat(first).isInstanceOf(StreamEvent.TextDelta.class);
      assertThat(events.times().get(1)).as("the first text, at the time to first token").isEqualTo(ttft.toNanos());
    }
  }
}
