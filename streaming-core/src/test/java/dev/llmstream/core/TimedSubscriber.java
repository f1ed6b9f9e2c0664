package dev.llmstream.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

/** Records what a publisher delivers, with the virtual time of each event; the test controls demand. */
final class TimedSubscriber implements Flow.Subscriber<StreamEvent> {
  private final ManualScheduler clock;
  private final long initialDemand;
  Flow.Subscription subscription;
  final List<StreamEvent> events = new ArrayList<>();
  final List<Long> times = new ArrayList<>();
  boolean completed;
  Throwable error;

  TimedSubscriber(ManualScheduler clock, long initialDemand) {
    this.clock = clock;
    this.initialDemand = initialDemand;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (initialDemand > 0) {
      s.request(initialDemand);
    }
  }

  @Override
  public void onNext(StreamEvent item) {
    events.add(item);
    times.add(clock.nanoTime());
  }

  @Override
  public void onError(Throwable throwable) {
    error = throwable;
  }

  @Override
  public void onComplete() {
    completed = true;
  }

  void request(long n) {
    subscription.request(n);
  }

  /** The texts of the delivered text deltas, in order. */
  List<String> texts() {
    List<String> out = new ArrayList<>();
    for (StreamEvent e : events) {
      if (e instanceof StreamEvent.TextDelta t) {
        out.add(t.text());
      }
    }
    return out;
  }
}
