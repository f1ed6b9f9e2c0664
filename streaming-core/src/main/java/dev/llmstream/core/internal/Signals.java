package dev.llmstream.core.internal;

import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Terminal signals to a subscriber under the shared exception policy: what the subscriber throws from
 * {@code onComplete} or {@code onError} is logged and goes no further (Reactive Streams rule 2.13; the
 * stream has ended either way). Also the rejection of a second subscriber of a single-use publisher.
 * Stateless.
 */
public final class Signals {
  private Signals() {
    throw new AssertionError("no instances");
  }

  /**
   * Signals {@code onComplete}, if there is a subscriber.
   *
   * @param subscriber the subscriber, or {@code null} when it is gone
   * @param log the publisher's logger
   */
  public static void complete(Flow.@Nullable Subscriber<?> subscriber, Logger log) {
    if (subscriber != null) {
      try {
        subscriber.onComplete();
      } catch (Throwable t) {
        log.warn("Subscriber.onComplete threw (Reactive Streams rule 2.13)", t);
      }
    }
  }

  /**
   * Signals {@code onError}, if there is a subscriber.
   *
   * @param subscriber the subscriber, or {@code null} when it is gone
   * @param error the error
   * @param log the publisher's logger
   */
  public static void error(Flow.@Nullable Subscriber<?> subscriber, Throwable error, Logger log) {
    if (subscriber != null) {
      try {
        subscriber.onError(error);
      } catch (Throwable t) {
        log.warn("Subscriber.onError threw (Reactive Streams rule 2.13)", t);
      }
    }
  }

  /**
   * Rejects a second subscriber: {@code onSubscribe} with a subscription that does nothing, then
   * {@code onError} with an {@link IllegalStateException} carrying {@code message}.
   *
   * @param subscriber the rejected subscriber
   * @param message what went wrong and what to do instead
   * @param log the publisher's logger
   */
  public static void rejectSecondSubscriber(Flow.Subscriber<?> subscriber, String message, Logger log) {
    try {
      subscriber.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
      subscriber.onError(new IllegalStateException(message));
    } catch (Throwable t) {
      log.warn("Rejected subscriber threw", t);
    }
  }
}
