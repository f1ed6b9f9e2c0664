package dev.llmstream.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.UiConfig;
import org.junit.jupiter.api.Test;

/** The buffer's pending text on its own: no clock, no threads, times passed in. */
class PendingTextTest {

  @Test
  void takesTextInOrderOfTheKindItHoldsAndCountsDeltas() {
    PendingText p = new PendingText();
    p.append(true, "think ", 10);
    p.append(true, "hard", 20);
    assertThat(p.isReasoning()).isTrue();
    assertThat(p.length()).isEqualTo(10);
    assertThat(p.since()).isEqualTo(10);
    assertThat(p.takeDeltas()).isEqualTo(2);
    assertThat(p.takeDeltas()).isZero();
    assertThat(p.take(6)).isEqualTo(new StreamEvent.ReasoningDelta("think "));
    assertThat(p.take(4)).isEqualTo(new StreamEvent.ReasoningDelta("hard"));
    assertThat(p.length()).isZero();
    p.append(false, "answer", 30);
    assertThat(p.isReasoning()).isFalse();
    assertThat(p.take(6)).isEqualTo(new StreamEvent.TextDelta("answer"));
  }

  @Test
  void knowsWhenEachPartArrived() {
    PendingText p = new PendingText();
    assertThat(p.oldestArrival(99)).as("nothing pending: now").isEqualTo(99);
    p.append(false, "ab", 10);
    p.append(false, "cd", 20);
    p.append(false, "ef", 20); // same instant: merged into the previous segment
    assertThat(p.oldestArrival(99)).isEqualTo(10);
    assertThat(p.arrivalAt(1, 99)).isEqualTo(10);
    assertThat(p.arrivalAt(2, 99)).isEqualTo(20);
    assertThat(p.arrivalAt(5, 99)).isEqualTo(20);
    p.take(3);
    assertThat(p.oldestArrival(99)).as("the first segment is gone").isEqualTo(20);
    assertThat(p.arrivalAt(0, 99)).isEqualTo(20);
  }

  @Test
  void segmentsBeyondTheLimitMergeKeepingTheOlderArrival() {
    PendingText p = new PendingText();
    for (int i = 0; i < PendingText.MAX_SEGMENTS + 5; i++) {
      p.append(false, "x", i);
    }
    int last = p.length() - 1;
    assertThat(p.arrivalAt(last, 1_000)).as("merged: never later than it was").isLessThan(last);
    assertThat(p.oldestArrival(1_000)).isZero();
  }

  @Test
  void cutsAtBoundariesAndNeverInsideASurrogatePair() {
    PendingText p = new PendingText();
    p.append(false, "one two\nthree", 0);
    assertThat(p.boundaryCut(100, UiConfig.Boundary.WORD)).isEqualTo(8);
    assertThat(p.boundaryCut(100, UiConfig.Boundary.LINE)).isEqualTo(8);
    assertThat(p.boundaryCut(5, UiConfig.Boundary.WORD)).isEqualTo(4);
    assertThat(p.boundaryCut(3, UiConfig.Boundary.WORD)).isZero();
    p.take(p.length());

    p.append(false, "a\uD83D\uDC4Bb", 0); // a 👋 b
    assertThat(p.sizeSafe(2)).as("not between the high and low surrogate").isEqualTo(1);
    assertThat(p.sizeSafe(3)).isEqualTo(3);
    assertThat(p.sizeSafe(10)).isEqualTo(4);
  }

  @Test
  void workStaysLinearAcrossManySmallTakes() {
    PendingText p = new PendingText();
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      p.append(false, "x", i);
    }
    for (int i = 0; i < n; i++) {
      p.take(1);
    }
    assertThat(p.length()).isZero();
    assertThat(p.charsCopied()).as("appended once, taken once, compacted a bounded number of times")
        .isLessThanOrEqualTo(4L * n);
    p.append(false, "again", n);
    assertThat(p.take(5)).isEqualTo(new StreamEvent.TextDelta("again"));
  }

  @Test
  void clearDropsEverything() {
    PendingText p = new PendingText();
    p.append(false, "abc", 1);
    p.clear();
    assertThat(p.length()).isZero();
    assertThat(p.oldestArrival(7)).isEqualTo(7);
  }
}
