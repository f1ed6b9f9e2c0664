package dev.llmstream.testkit;

import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.annotations.Test;

/**
 * The official Reactive Streams TCK against {@link TestSubscriber}: the recorder itself obeys the
 * subscriber rules (it requests on subscribe, never throws except for null arguments, and tolerates
 * signals in any order, recording violations instead). Skipped rules are the TCK's "untested" ones.
 */
@Test
public class TestSubscriberTckTest extends FlowSubscriberBlackboxVerification<Integer> {
  public TestSubscriberTckTest() {
    super(new TestEnvironment(500));
  }

  @Override
  public Flow.Subscriber<Integer> createFlowSubscriber() {
    return TestSubscriber.create();
  }

  @Override
  public Integer createElement(int element) {
    return element;
  }
}
