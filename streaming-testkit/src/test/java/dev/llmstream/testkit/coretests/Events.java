package dev.llmstream.testkit.coretests;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.testkit.TestSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The text a {@link TestSubscriber} received, whole or per batch, for the core tests. */
final class Events {
  /** The bound of every wait in these tests. */
  static final Duration WAIT = Duration.ofSeconds(10);

  private Events() {}

  /** The texts of the delivered text deltas, in order. */
  static List<String> texts(TestSubscriber<StreamEvent> sub) {
    List<String> out = new ArrayList<>();
    for (StreamEvent e : sub.values()) {
      if (e instanceof StreamEvent.TextDelta t) {
        out.add(t.text());
      }
    }
    return out;
  }

  /** The delivered text, joined. */
  static String text(TestSubscriber<StreamEvent> sub) {
    return String.join("", texts(sub));
  }
}
