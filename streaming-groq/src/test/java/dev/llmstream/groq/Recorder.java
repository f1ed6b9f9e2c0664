package dev.llmstream.groq;

import dev.llmstream.core.StreamEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records every signal; requests everything unless told otherwise. */
final class Recorder implements Flow.Subscriber<StreamEvent> {
  final List<StreamEvent> events = new CopyOnWriteArrayList<>();
  final CompletableFuture<Void> done = new CompletableFuture<>();
  volatile Flow.Subscription subscription;
  private final long initial;
  private final Predicate<StreamEvent> cancelWhen;
  volatile boolean cancelledBySelf;
  volatile int eventsAfterCancel;

  Recorder() {
    this(Long.MAX_VALUE, e -> false);
  }

  Recorder(long initial, Predicate<StreamEvent> cancelWhen) {
    this.initial = initial;
    this.cancelWhen = cancelWhen;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (initial > 0) {
      s.request(initial);
    }
  }

  @Override
  public void onNext(StreamEvent item) {
    if (cancelledBySelf) {
      eventsAfterCancel++;
    }
    events.add(item);
    synchronized (this) {
      notifyAll();
    }
    if (!cancelledBySelf && cancelWhen.test(item)) {
      cancelledBySelf = true;
      subscription.cancel();
      done.complete(null);
    }
  }

  @Override
  public void onError(Throwable t) {
    done.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    done.complete(null);
  }

  /** Waits (bounded) until {@code n} events arrived. */
  synchronized void awaitEvents(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (events.size() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || done.isDone()) {
        throw new AssertionError("only " + events + " arrived; done=" + done);
      }
      TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
    }
  }

  Throwable awaitError() throws Exception {
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected an error, the stream completed with " + events);
  }

  void awaitComplete() throws Exception {
    done.get(10, TimeUnit.SECONDS);
  }
}
