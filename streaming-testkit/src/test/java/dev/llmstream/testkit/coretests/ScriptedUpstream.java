package dev.llmstream.testkit.coretests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.StreamEvent;
import java.util.concurrent.Flow;

/**
 * A hand-driven upstream for processor tests: the test pushes events one by one, and each push checks
 * that the processor had requested it (so over-delivery is impossible and missing demand is visible).
 */
final class ScriptedUpstream implements Flow.Publisher<StreamEvent>, Flow.Subscription {
  private Flow.Subscriber<? super StreamEvent> subscriber;
  long requested;
  long totalRequested;
  boolean cancelled;

  @Override
  public void subscribe(Flow.Subscriber<? super StreamEvent> s) {
    this.subscriber = s;
    s.onSubscribe(this);
  }

  @Override
  public synchronized void request(long n) {
    requested += n;
    totalRequested += n;
  }

  @Override
  public synchronized void cancel() {
    cancelled = true;
  }

  /** Pushes an event; the processor must have requested it. */
  void push(StreamEvent e) {
    synchronized (this) {
      assertThat(requested).as("demand for %s", e).isPositive();
      requested--;
    }
    subscriber.onNext(e);
  }

  void text(String s) {
    push(new StreamEvent.TextDelta(s));
  }

  void reasoning(String s) {
    push(new StreamEvent.ReasoningDelta(s));
  }

  void complete() {
    subscriber.onComplete();
  }

  void fail(Throwable t) {
    subscriber.onError(t);
  }

  synchronized boolean hasDemand() {
    return requested > 0;
  }
}
