package dev.llmstream.testkit.internal;

import dev.llmstream.testkit.ConnectionRecord;
import java.util.function.Consumer;

/**
 * The live record of one response; thread-safe. Changes notify the server's waiters; the end is also
 * reported once to {@code onEnd} (outside this object's lock).
 */
public final class ExchangeState {
  private final int requestIndex;
  private final int status;
  private final Runnable onChange;
  private final Consumer<ConnectionRecord> onEnd;
  private ConnectionRecord.Ending ending = ConnectionRecord.Ending.OPEN; // guarded by this
  private int chunks; // guarded by this
  private boolean stalled; // guarded by this
  private boolean started; // guarded by this

  public ExchangeState(int requestIndex, int status, Runnable onChange, Consumer<ConnectionRecord> onEnd) {
    this.requestIndex = requestIndex;
    this.status = status;
    this.onChange = onChange;
    this.onEnd = onEnd;
  }

  void addChunks(int n) {
    if (n == 0) {
      return;
    }
    synchronized (this) {
      chunks += n;
    }
    onChange.run();
  }

  /** The first step of the response is scheduled. */
  void markStarted() {
    synchronized (this) {
      started = true;
    }
    onChange.run();
  }

  public synchronized boolean isStarted() {
    return started;
  }

  void stall() {
    synchronized (this) {
      stalled = true;
    }
    onChange.run();
  }

  /** Sets the ending if still open; returns whether it did. */
  boolean end(ConnectionRecord.Ending e) {
    synchronized (this) {
      if (ending != ConnectionRecord.Ending.OPEN) {
        return false;
      }
      ending = e;
    }
    onEnd.accept(snapshot()); // first: whoever the change wakes finds the end reported
    onChange.run();
    return true;
  }

  public synchronized ConnectionRecord snapshot() {
    return new ConnectionRecord(requestIndex, status, ending, chunks, stalled);
  }
}
