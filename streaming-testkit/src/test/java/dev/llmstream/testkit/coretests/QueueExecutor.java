package dev.llmstream.testkit.coretests;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** A fake UI thread: tasks wait until the test runs them, like a busy event loop. */
final class QueueExecutor implements Executor {
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

  @Override
  public synchronized void execute(Runnable command) {
    tasks.add(command);
  }

  /** Runs queued tasks (including those they queue) until none is left; returns how many ran. */
  int runAll() {
    int n = 0;
    for (; ; ) {
      Runnable r;
      synchronized (this) {
        r = tasks.poll();
      }
      if (r == null) {
        return n;
      }
      r.run();
      n++;
    }
  }

  synchronized int queued() {
    return tasks.size();
  }
}
