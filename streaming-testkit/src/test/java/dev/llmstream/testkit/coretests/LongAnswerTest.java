package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.Progress;
import dev.llmstream.core.StreamBufferConfig;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiConnection;
import dev.llmstream.core.UiSink;
import dev.llmstream.testkit.VirtualScheduler;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A 100,000-token answer through buffer and sink on a virtual clock: the number of sink updates is
 * bounded by duration / window, and the work is linear in the answer's length (counted as characters
 * copied and as bytes allocated, never as wall time).
 */
class LongAnswerTest {
  private static final Duration WINDOW = StreamBufferConfig.DEFAULT_WINDOW;
  private static final String TOKEN = "tok ";

  /** What one run measured. */
  record Run(int textCalls, int progressCalls, long charsCopied, long allocatedBytes, Duration duration, String text) {}

  private static Run run(int tokens, boolean slowUi, StreamBufferConfig buffer) throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    // Groq-like: bursts of 50 tokens every 20 ms (2,500 tokens/s), first burst after 200 ms
    TimedSource model = new TimedSource(clock, tokens, 50, Duration.ofMillis(20), Duration.ofMillis(200), TOKEN);
    QueueExecutor slow = new QueueExecutor();
    int[] calls = new int[2];
    long[] seen = new long[1];
    UiSink sink =
        new UiSink() {
          @Override
          public void onText(CharSequence batch, CharSequence fullText) {
            calls[0]++;
            seen[0] += batch.length(); // an incremental UI appends the batch; fullText is not copied
          }

          @Override
          public void onProgress(Progress progress) {
            calls[1]++;
          }
        };
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    UiConnection c =
        UiConnection.connect(
            TokenStream.create(model, CancellationToken.create()),
            sink,
            slowUi ? slow : Runnable::run,
            UiConfig.builder().scheduler(clock).buffer(buffer).build());
    Duration step = slowUi ? Duration.ofMillis(200) : Duration.ofSeconds(1);
    long limit = model.duration().plusSeconds(2).toNanos() / step.toNanos();
    for (long i = 0; i < limit && !c.done().isDone(); i++) {
      clock.advance(step);
      slow.runAll(); // the slow UI gets to run every 200 ms
      assertThat(slow.queued()).isZero();
    }
    ChatResponse r = c.done().get(1, TimeUnit.SECONDS);
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertThat(seen[0]).isEqualTo((long) tokens * TOKEN.length());
    return new Run(calls[0], calls[1], CoreInternals.bufferCharsCopied(c), allocated, model.duration(), r.text());
  }

  /** Pacing by the window only: the size limit is above what one window collects. */
  private static final StreamBufferConfig PACED = StreamBufferConfig.builder().maxBatchChars(4096).build();

  @Test
  void sinkUpdatesAreBoundedByDurationOverWindowAndWorkIsLinear() throws Exception {
    run(10_000, false, PACED); // warm-up (class loading, JIT) so the allocation numbers compare like for like
    Run small = run(10_000, false, PACED);
    Run big = run(100_000, false, PACED);
    long chars = 100_000L * TOKEN.length();
    assertThat(big.text()).hasSize((int) chars);

    long bound = big.duration().toNanos() / WINDOW.toNanos() + 3;
    assertThat((long) big.textCalls()).as("sink updates for %s", big.duration()).isLessThanOrEqualTo(bound);
    assertThat(big.textCalls()).as("paced by the window, not one per burst").isGreaterThan((int) bound - 10);
    assertThat(big.progressCalls()).as("progress rides on the batches").isEqualTo(big.textCalls());

    assertThat(big.charsCopied()).as("each character copied into and out of the batch once").isLessThanOrEqualTo(2 * chars);

    double perTokenSmall = small.allocatedBytes() / 10_000.0;
    double perTokenBig = big.allocatedBytes() / 100_000.0;
    System.out.printf(
        "100k tokens: %d sink updates over %s (bound %d), %d chars copied, %.0f B/token allocated (10k: %.0f B/token)%n",
        big.textCalls(), big.duration(), bound, big.charsCopied(), perTokenBig, perTokenSmall);
    // linear: per-token allocation does not grow with length (quadratic copying would multiply it by ~10)
    assertThat(perTokenBig).isLessThan(2.0 * perTokenSmall + 200);
  }

  @Test
  void withTheDefaultSizeLimitUpdatesAreBoundedByWindowsPlusSizeFlushes() throws Exception {
    Run big = run(100_000, false, StreamBufferConfig.defaults());
    long chars = 100_000L * TOKEN.length();
    // 10,000 chars/s exceed 256 chars per 50 ms, so the size limit releases batches too
    long bound =
        big.duration().toNanos() / WINDOW.toNanos() + chars / StreamBufferConfig.DEFAULT_MAX_BATCH_CHARS + 3;
    assertThat((long) big.textCalls()).isLessThanOrEqualTo(bound);
    assertThat(big.charsCopied()).isLessThanOrEqualTo(3 * chars);
    System.out.printf("defaults: %d sink updates for 100k tokens (bound %d)%n", big.textCalls(), bound);
  }

  @Test
  void aSlowUiGetsFewLargeBatchesForALongAnswer() throws Exception {
    Run slow = run(100_000, true, StreamBufferConfig.defaults());
    // one update per UI turn: what waited for the UI thread and everything since, merged
    long bound = slow.duration().toNanos() / Duration.ofMillis(200).toNanos() + 3;
    assertThat((long) slow.textCalls()).isLessThanOrEqualTo(bound);
    assertThat(slow.text()).hasSize(100_000 * TOKEN.length());
    System.out.printf("slow UI (runs every 200 ms): %d sink updates for 100k tokens%n", slow.textCalls());
  }
}
