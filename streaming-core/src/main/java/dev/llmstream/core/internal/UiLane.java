package dev.llmstream.core.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The serial "lane" of a UI connection: tasks queue in a non-blocking queue and a {@link SerialDrain} on
 * the caller's executor runs them in order, one executor task at a time, so they never run concurrently
 * even on a pool. The queue is bounded by the connection's protocol (one batch requested at a time), not
 * here. Once the executor rejects a task the lane is closed: queued and later tasks are dropped.
 * Thread-safe.
 */
final class UiLane {
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final SerialDrain drain;
  private volatile boolean rejected;

  /**
   * Creates a lane.
   *
   * @param executor the UI thread's executor
   * @param onFailure gets a throwable a task let escape (the drain's failure handler)
   * @param onRejected gets the executor's exception when it refuses the lane's task; the lane is closed
   */
  UiLane(Executor executor, Consumer<Throwable> onFailure, Consumer<RuntimeException> onRejected) {
    this.drain =
        SerialDrain.on(
            "UI lane",
            this::runAll,
            onFailure,
            executor,
            e -> {
              rejected = true;
              tasks.clear();
              onRejected.accept(e);
            });
  }

  /** Queues a task and makes sure the lane runs; dropped when the lane is closed. */
  void submit(Runnable task) {
    if (rejected) {
      return;
    }
    tasks.add(task);
    drain.drain();
  }

  /** Whether the executor refused a task (the lane is closed). */
  boolean isRejected() {
    return rejected;
  }

  /** The task queued next, without taking it; for a running task that may absorb it. */
  @Nullable Runnable peek() {
    return tasks.peek();
  }

  /** Takes the next task if it is {@code expected}; the running task then does its work. */
  boolean take(Runnable expected) {
    return tasks.peek() == expected && tasks.poll() == expected;
  }

  private void runAll() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
    }
  }
}
