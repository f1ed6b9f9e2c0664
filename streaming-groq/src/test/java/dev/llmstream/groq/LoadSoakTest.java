package dev.llmstream.groq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.FinishReason;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Load soak (tag {@code soak}: not in the default run; {@code mvn -Psoak} runs it, and {@code .ci/run}
 * does): 1,000 concurrent paced streams through one provider against the fake server for 60 s, each
 * replaced by a new one as it ends, so 1,000 are in flight the whole time. Every answer must be complete
 * and exact: the text the server generated for that prompt, finish reason {@code stop}, usage reported.
 * Sizes: {@code -Dllmstream.soak.concurrency=N}, {@code -Dllmstream.soak.seconds=S}.
 */
@Tag("soak")
class LoadSoakTest {

  /** The answer the server generates for stream {@code id}: 20 to 80 words, 40 tokens/s. */
  static String answer(long id) {
    Random r = new Random(id);
    int words = 20 + r.nextInt(61);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < words; i++) {
      b.append(i == 0 ? "" : " ").append("w").append(id).append('_').append(i);
    }
    return b.toString();
  }

  static ResponseScript script(RecordedRequest req) {
    long id = Long.parseLong(req.lastUserMessage().substring("load:".length()));
    return ResponseScript.builder()
        .text(answer(id))
        .timeToFirstToken(Duration.ofMillis(100 + id % 400))
        .tokensPerSecond(40)
        .jitter(0.3)
        .seed(id)
        .build();
  }

  @Test
  void thousandConcurrentStreamsForAMinuteAllExact() throws Exception {
    int concurrency = Integer.getInteger("llmstream.soak.concurrency", 1_000);
    long seconds = Long.getLong("llmstream.soak.seconds", 60);
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    AtomicLong ids = new AtomicLong();
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    AtomicLong chars = new AtomicLong();
    CountDownLatch drained = new CountDownLatch(concurrency);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(LoadSoakTest::script).build().start();
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").build()) {
      Runnable[] lane = new Runnable[1];
      lane[0] = () -> {
        if (System.nanoTime() - deadline >= 0) {
          drained.countDown(); // this lane is done
          return;
        }
        long id = ids.incrementAndGet();
        peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        p.stream(ChatRequest.ofUser("load:" + id)).collect().whenComplete((ChatResponse a, Throwable t) -> {
          inFlight.decrementAndGet();
          if (t != null) {
            problems.add("stream " + id + " failed: " + t);
          } else if (!a.text().equals(answer(id))) {
            problems.add("stream " + id + " not exact: " + a.text().length() + " chars");
          } else if (a.finishReason() != FinishReason.STOP || a.usage() == null) {
            problems.add("stream " + id + " ended with " + a.finishReason() + ", usage " + a.usage());
          } else {
            completed.incrementAndGet();
            chars.addAndGet(a.text().length());
          }
          lane[0].run(); // the next stream on this lane
        });
      };
      for (int i = 0; i < concurrency; i++) {
        lane[0].run();
      }
      assertThat(drained.await(seconds + 120, TimeUnit.SECONDS)).as("every lane ended").isTrue();
      List<ConnectionRecord> records = server.connections();
      System.out.printf("load soak: %d concurrent lanes for %d s: %d streams, %d complete and exact, peak in flight %d,"
              + " %.1f MiB of text; server responses %d%n",
          concurrency, seconds, ids.get(), completed.get(), peak.get(), chars.get() / 1048576.0, records.size());
      assertThat(problems).as("failed or inexact answers").isEmpty();
      assertThat(completed.get()).isEqualTo((int) ids.get());
      assertThat(peak.get()).as("streams in flight at once").isEqualTo(concurrency);
      assertThat(completed.get()).as("each lane ran at least one full answer").isGreaterThanOrEqualTo(concurrency);
      for (int i = 0; i < records.size(); i++) {
        assertThat(server.awaitEnded(i, Duration.ofSeconds(30)).ending())
            .isIn(ConnectionRecord.Ending.COMPLETED, ConnectionRecord.Ending.CLOSED_BY_CLIENT);
      }
    }
  }
}
