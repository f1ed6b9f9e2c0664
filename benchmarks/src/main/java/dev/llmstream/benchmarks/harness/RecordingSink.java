package dev.llmstream.benchmarks.harness;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Counts tokens and characters, and notes when the first token and the end arrived. Token callbacks come
 * from one library thread at a time (every library delivers serially); the counters are read after
 * {@link #awaitEnd} or through the volatile timestamps.
 */
public class RecordingSink implements TokenSink {
  private final CountDownLatch end = new CountDownLatch(1);
  private int tokens;
  private long chars;
  private volatile long firstTokenAt;
  private volatile @Nullable String firstToken;
  private volatile long endAt;
  private volatile @Nullable Throwable error;
  private volatile @Nullable Thread waiter;

  @Override
  public void onToken(String text) {
    if (tokens++ == 0) {
      firstTokenAt = System.nanoTime();
      firstToken = text;
      wake();
    }
    chars += text.length();
  }

  private void wake() {
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }

  /**
   * Parks the calling thread until the first token arrived (the time is recorded by the library's thread
   * on arrival, before it wakes this one, so the wake-up is not part of {@link #firstTokenAt()}).
   */
  public void parkUntilFirstToken(long timeoutNanos) throws TimeoutException {
    waiter = Thread.currentThread();
    long deadline = System.nanoTime() + timeoutNanos;
    while (firstToken == null) {
      if (endAt != 0) {
        throw new IllegalStateException("the stream ended before its first token", error);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("no first token");
      }
      LockSupport.parkNanos(this, left);
    }
  }

  /** Parks the calling thread until the end arrived; returns its time (recorded on arrival). */
  public long parkUntilEnd(long timeoutNanos) throws TimeoutException {
    waiter = Thread.currentThread();
    long deadline = System.nanoTime() + timeoutNanos;
    long t;
    while ((t = endAt) == 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("no terminal signal");
      }
      LockSupport.parkNanos(this, left);
    }
    return t;
  }

  @Override
  public void onEnd(@Nullable Throwable error) {
    if (endAt != 0) {
      return;
    }
    this.error = error;
    endAt = System.nanoTime();
    end.countDown();
    wake();
  }

  /** Spins until the first token arrived; returns it. */
  public String spinUntilFirstToken(long timeoutNanos) throws TimeoutException {
    long deadline = System.nanoTime() + timeoutNanos;
    String t;
    while ((t = firstToken) == null) {
      if (endAt != 0) {
        throw new IllegalStateException("the stream ended before its first token", error);
      }
      if (System.nanoTime() - deadline > 0) {
        throw new TimeoutException("no first token");
      }
      Thread.onSpinWait();
    }
    return t;
  }

  /** Spins until the end arrived; returns its time. */
  public long spinUntilEnd(long timeoutNanos) throws TimeoutException {
    long deadline = System.nanoTime() + timeoutNanos;
    long t;
    while ((t = endAt) == 0) {
      if (System.nanoTime() - deadline > 0) {
        throw new TimeoutException("no terminal signal");
      }
      Thread.onSpinWait();
    }
    return t;
  }

  /**
   * Waits for the end.
   *
   * @return this sink
   * @throws TimeoutException if the stream did not end in time
   * @throws InterruptedException if interrupted
   */
  public RecordingSink awaitEnd(long timeout, TimeUnit unit) throws TimeoutException, InterruptedException {
    if (!end.await(timeout, unit)) {
      throw new TimeoutException("the stream did not end within " + timeout + " " + unit);
    }
    return this;
  }

  /** Tokens received (read after the end). */
  public int tokens() {
    return tokens;
  }

  /** Characters received (read after the end). */
  public long chars() {
    return chars;
  }

  /** When the end arrived, or 0. */
  public long endAt() {
    return endAt;
  }

  /** When the first token arrived, or 0. */
  public long firstTokenAt() {
    return firstTokenAt;
  }

  /** Whether the stream ended. */
  public boolean ended() {
    return endAt != 0;
  }

  /** The failure the stream ended with, or {@code null}. */
  public @Nullable Throwable error() {
    return error;
  }
}
