package dev.llmstream.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/** A subscriber for core tests that records signals and protocol violations. */
final class RecordingSubscriber implements Flow.Subscriber<StreamEvent> {
  final List<StreamEvent> events = new CopyOnWriteArrayList<>();
  final List<String> violations = new CopyOnWriteArrayList<>();
  final CountDownLatch terminal = new CountDownLatch(1);
  final AtomicInteger terminals = new AtomicInteger();
  volatile Throwable error;
  volatile boolean completed;
  volatile Flow.Subscription subscription;
  private final long initialRequest;
  private final AtomicInteger inside = new AtomicInteger();
  private volatile BiConsumer<RecordingSubscriber, StreamEvent> onEvent = (s, e) -> {};

  RecordingSubscriber(long initialRequest) {
    this.initialRequest = initialRequest;
  }

  RecordingSubscriber onEvent(BiConsumer<RecordingSubscriber, StreamEvent> action) {
    this.onEvent = action;
    return this;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (initialRequest > 0) {
      s.request(initialRequest);
    }
  }

  @Override
  public void onNext(StreamEvent item) {
    enter();
    try {
      if (terminals.get() > 0) {
        violations.add("onNext after terminal: " + item);
      }
      events.add(item);
      onEvent.accept(this, item);
    } finally {
      inside.decrementAndGet();
    }
  }

  @Override
  public void onError(Throwable t) {
    enter();
    try {
      error = t;
      terminate();
    } finally {
      inside.decrementAndGet();
    }
  }

  @Override
  public void onComplete() {
    enter();
    try {
      completed = true;
      terminate();
    } finally {
      inside.decrementAndGet();
    }
  }

  private void enter() {
    if (inside.incrementAndGet() != 1) {
      violations.add("concurrent signal");
    }
  }

  private void terminate() {
    if (terminals.incrementAndGet() != 1) {
      violations.add("second terminal signal");
    }
    terminal.countDown();
  }

  void awaitTerminal() throws InterruptedException {
    if (!terminal.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("no terminal signal within 10 s; events so far: " + events.size());
    }
  }

  String text() {
    StringBuilder sb = new StringBuilder();
    for (StreamEvent e : events) {
      if (e instanceof StreamEvent.TextDelta t) {
        sb.append(t.text());
      }
    }
    return sb.toString();
  }
}
