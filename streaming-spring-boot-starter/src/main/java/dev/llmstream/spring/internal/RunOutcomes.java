package dev.llmstream.spring.internal;

import dev.llmstream.web.RunResult;
import dev.llmstream.web.spi.RunStatus;

/**
 * The outcomes of the last runs started through the endpoints on this instance, for the health indicator:
 * a fixed ring, so memory stays bounded. Thread-safe (a short lock; no user code under it).
 */
public final class RunOutcomes {
  /** The window used by the auto-configuration. */
  public static final int DEFAULT_WINDOW = 50;

  private final boolean[] failed;
  private int next; // guarded by this
  private int size; // guarded by this

  /**
   * Creates an empty window.
   *
   * @param window how many recent runs are kept, at least 1
   * @throws IllegalArgumentException if {@code window} is less than 1
   */
  public RunOutcomes(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1, was " + window);
    }
    this.failed = new boolean[window];
  }

  /**
   * Records how a run ended (a {@link dev.llmstream.web.RunListener}).
   *
   * @param result the run's result
   */
  public void record(RunResult result) {
    record(result.status() == RunStatus.FAILED);
  }

  /**
   * Records one outcome.
   *
   * @param wasFailure whether the run failed
   */
  public synchronized void record(boolean wasFailure) {
    failed[next] = wasFailure;
    next = (next + 1) % failed.length;
    size = Math.min(size + 1, failed.length);
  }

  /**
   * The recent outcomes.
   *
   * @return runs in the window and how many of them failed
   */
  public synchronized Snapshot snapshot() {
    int f = 0;
    for (int i = 0; i < size; i++) {
      if (failed[i]) {
        f++;
      }
    }
    return new Snapshot(size, f);
  }

  /**
   * Recent outcomes.
   *
   * @param runs runs in the window
   * @param failures how many failed
   */
  public record Snapshot(int runs, int failures) {
    /**
     * The failure ratio.
     *
     * @return failures / runs, 0 when there were no runs
     */
    public double errorRate() {
      return runs == 0 ? 0 : (double) failures / runs;
    }
  }
}
