package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * How many HTTP requests one answer may still cost: shared by the answer's attempts (the first, its
 * retries, each recovery attempt and its retries, followed redirects), so that no server behaviour makes
 * one question cost more than {@code GroqProvider.Builder.maxRequestsPerAnswer}. Thread-safe.
 */
public final class RequestBudget {
  private final int max;
  private final AtomicInteger used = new AtomicInteger();

  /**
   * Creates a budget.
   *
   * @param max the most requests, at least 1
   */
  public RequestBudget(int max) {
    this.max = max;
  }

  /**
   * Takes one request from the budget.
   *
   * @return {@code false} if none is left (nothing is taken then)
   */
  public boolean take() {
    for (; ; ) {
      int u = used.get();
      if (u >= max) {
        return false;
      }
      if (used.compareAndSet(u, u + 1)) {
        return true;
      }
    }
  }

  /**
   * Whether another request may be sent.
   *
   * @return {@code true} if at least one is left
   */
  public boolean hasMore() {
    return used.get() < max;
  }

  /**
   * The requests sent so far.
   *
   * @return the count
   */
  public int used() {
    return used.get();
  }

  /**
   * The cap.
   *
   * @return the most requests
   */
  public int max() {
    return max;
  }

  /**
   * The error that ends an answer whose retry or recovery the cap prevented.
   *
   * @param last the failure that would have been retried or recovered, or {@code null}
   * @return a {@link ErrorKind#LIMIT_EXCEEDED} error naming the setting, {@code last} as its cause
   */
  public StreamException exhausted(@Nullable StreamException last) {
    return new StreamException(
        ErrorKind.LIMIT_EXCEEDED,
        "The answer used all " + max + " requests one answer may cost (retries and recoveries "
            + "together; GroqProvider.Builder.maxRequestsPerAnswer); gave up"
            + (last == null ? "" : " after " + last.kind() + ": " + ChunkDecoder.bounded(last.getMessage())),
        last == null ? StreamException.NO_STATUS : last.status(),
        last == null ? null : last.requestId(),
        last);
  }
}
