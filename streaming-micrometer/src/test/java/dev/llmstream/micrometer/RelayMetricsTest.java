package dev.llmstream.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.UiConfig;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.RunOptions;
import dev.llmstream.web.RunReader;
import dev.llmstream.web.RunResult;
import dev.llmstream.web.SseSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link RelayMetrics} on a real {@link AnswerRuns}: a finished answer of many events read by a browser
 * connection whose writes the test completes one at a time, so the reader is open while the test looks and
 * its one catch-up write coalesces the log.
 */
class RelayMetricsTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /** A connection whose writes finish when the test says so. */
  private static final class HeldSink implements SseSink {
    final LinkedBlockingQueue<Consumer<@Nullable Throwable>> pending = new LinkedBlockingQueue<>();
    final StringBuilder written = new StringBuilder();

    @Override
    public synchronized void write(byte[] bytes, Consumer<@Nullable Throwable> done) {
      written.append(new String(bytes, StandardCharsets.UTF_8));
      pending.add(done);
    }

    @Override
    public void close() {}

    void completeNext() throws InterruptedException {
      Consumer<@Nullable Throwable> next = pending.poll(10, TimeUnit.SECONDS);
      assertThat(next).as("a write to complete").isNotNull();
      next.accept(null);
    }

    synchronized String text() {
      return written.toString();
    }
  }

  @Test
  void readersAndCoalescedEventsAreTheRelaysOwnCounters() throws Exception {
    try (FakeGroqServer fake = FakeGroqServer.builder()
            .dispatcher(r -> ResponseScript.builder().generatedText(200, i -> "w" + i + " ").build()).build().start();
        GroqProvider groq = GroqProvider.builder().baseUrl(fake.baseUrl()).apiKey("k").defaultModel("m").build();
        AnswerRuns runs = AnswerRuns.builder(groq).keepRunsWithoutReaders().build()) {
      RelayMetrics.bind(runs, meters);
      assertThat(meters.get(RelayMetrics.READERS).gauge().value()).isZero();
      assertThat(meters.get(RelayMetrics.COALESCED).functionCounter().count()).isZero();

      CompletableFuture<RunResult> ended = new CompletableFuture<>();
      RunOptions eachToken = RunOptions.builder()
          .ui(UiConfig.defaults().withWindow(Duration.ZERO))
          .listener(ended::complete)
          .build();
      String id = runs.start("alice", ChatRequest.ofUser("hi"), eachToken)
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      ended.get(10, TimeUnit.SECONDS);

      RunReader reader = runs.open("alice", id, 0).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow();
      HeldSink sink = new HeldSink();
      reader.start(sink);
      assertThat(meters.get(RelayMetrics.READERS).gauge().value()).isEqualTo(1);
      while (!sink.text().contains("event: done")) {
        sink.completeNext(); // the preamble, then the whole log in as few events as possible
      }
      sink.completeNext(); // the last write: the connection closes after done
      assertThat(runs.coalescedEvents()).as("the log's events merged into the catch-up write").isPositive();
      assertThat(meters.get(RelayMetrics.COALESCED).functionCounter().count()).isEqualTo(runs.coalescedEvents());
      assertThat(meters.get(RelayMetrics.READERS).gauge().value()).isZero();
      assertThat(runs.readers()).isZero();
    }
  }

  @Test
  void bindChecksItsArguments() {
    assertThatThrownBy(() -> RelayMetrics.bind(null, meters)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("runs");
    assertThat(meters.getMeters()).isEmpty();
  }
}
