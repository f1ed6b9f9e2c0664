package dev.llmstream.groq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.groq.internal.AttemptTimer.Verdict;
import dev.llmstream.groq.internal.SourceSignals.Timer;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The watchdog of one request on the virtual clock: armed at sending for the shorter timeout, kept (not
 * re-scheduled) at the first token, and each timeout firing exactly when it is due.
 */
class AttemptTimerTest {
  private static final Duration FIRST_TOKEN = Duration.ofSeconds(60);
  private static final Duration IDLE = Duration.ofSeconds(30);

  private final VirtualScheduler clock = new VirtualScheduler();
  private final List<Object> posted = new ArrayList<>();
  private final AttemptTimer timer = new AttemptTimer(clock, posted::add);

  /**
   * Advances the clock (to exactly when a timer is due, so the verdict sees the time it fired at) and
   * answers a timer that fired the way the stream source does; {@code null} when none fired.
   */
  private Verdict advance(Duration by, boolean sinceFirstToken) {
    clock.advance(by);
    if (posted.isEmpty()) {
      return null;
    }
    assertThat(posted.remove(0)).isEqualTo(new Timer(1));
    assertThat(posted).isEmpty();
    return timer.verdict(false, sinceFirstToken ? IDLE : FIRST_TOKEN, sinceFirstToken, true);
  }

  @Test
  void armedAtSendingForTheShorterTimeoutAndKeptAtTheFirstToken() {
    timer.sent(1, FIRST_TOKEN, IDLE);
    assertThat(clock.scheduledDelays()).containsExactly(IDLE);
    clock.advance(Duration.ofSeconds(1));
    timer.firstToken(1, IDLE);
    assertThat(clock.scheduledDelays()).as("nothing scheduled on the first token").containsExactly(IDLE);
    assertThat(clock.pendingTasks()).isEqualTo(1);
    assertThat(clock.nextDelay()).isEqualTo(Duration.ofSeconds(29));
  }

  @Test
  void theIdleTimeoutCountsFromTheLastActivityAfterTheFirstToken() {
    timer.sent(1, FIRST_TOKEN, IDLE);
    clock.advance(Duration.ofSeconds(5));
    timer.firstToken(1, IDLE);
    clock.advance(Duration.ofSeconds(10));
    timer.activity(); // at 15 s: the idle timeout now ends at 45 s
    assertThat(advance(Duration.ofSeconds(15), true)).isEqualTo(Verdict.WAIT); // fired at 30 s
    assertThat(clock.nextDelay()).isEqualTo(Duration.ofSeconds(15));
    assertThat(advance(Duration.ofSeconds(15).minusMillis(1), true)).isNull();
    assertThat(advance(Duration.ofMillis(1), true)).isEqualTo(Verdict.TIMED_OUT); // 45 s
  }

  @Test
  void beforeTheFirstTokenTheLongerFirstTokenTimeoutStillApplies() {
    timer.sent(1, FIRST_TOKEN, IDLE);
    assertThat(advance(IDLE, false)).as("the early wake-up re-arms for the rest").isEqualTo(Verdict.WAIT);
    assertThat(clock.nextDelay()).isEqualTo(FIRST_TOKEN.minus(IDLE));
    assertThat(advance(FIRST_TOKEN.minus(IDLE).minusMillis(1), false)).isNull();
    assertThat(advance(Duration.ofMillis(1), false)).isEqualTo(Verdict.TIMED_OUT);
  }

  @Test
  void aShorterFirstTokenTimeoutIsArmedAsIsAndTheIdleTimeoutFollowsIt() {
    timer.sent(1, Duration.ofSeconds(5), IDLE);
    assertThat(clock.scheduledDelays()).containsExactly(Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(2));
    timer.firstToken(1, IDLE); // at 2 s: idle until 32 s
    assertThat(clock.scheduledDelays()).containsExactly(Duration.ofSeconds(5));
    assertThat(advance(Duration.ofSeconds(3), true)).isEqualTo(Verdict.WAIT); // the 5 s timer re-arms
    assertThat(clock.nextDelay()).isEqualTo(Duration.ofSeconds(27));
    assertThat(advance(Duration.ofSeconds(27), true)).isEqualTo(Verdict.TIMED_OUT);
  }

  @Test
  void aTimerThatWouldFireTooLateOrNoneIsArmedAtTheFirstToken() {
    timer.sent(1, FIRST_TOKEN, IDLE);
    timer.arm(1, FIRST_TOKEN); // e.g. re-armed while the subscriber had no demand
    timer.firstToken(1, IDLE);
    assertThat(clock.pendingTasks()).isEqualTo(1);
    assertThat(clock.nextDelay()).isEqualTo(IDLE);
    timer.cancel();
    assertThat(clock.pendingTasks()).isZero();
    timer.firstToken(1, IDLE);
    assertThat(clock.pendingTasks()).isEqualTo(1);
    assertThat(clock.nextDelay()).isEqualTo(IDLE);
  }
}
