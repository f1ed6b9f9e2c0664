package dev.llmstream.core.internal;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one serial-drain loop ("work-in-progress" counter) behind every publisher and the UI adapter, with
 * the one exception policy they share.
 *
 * <p>Any thread may call {@link #drain()}. The first caller (or, with an executor, one task on it) runs
 * the owner's pass; callers that arrive meanwhile only leave a note, and the pass runs again until no
 * note is left. So the pass never runs concurrently with itself, and everything it touches needs no lock.
 * No lock is held while the pass runs: the owner calls its subscriber, listeners or sink from the pass.
 *
 * <p><b>Exception policy.</b> The owner catches what it expects from user code where it calls it (a
 * subscriber's {@code onNext} ends the subscription, rule 2.13; a listener's throwable is logged and
 * ignored, see {@link #callListener}). Any {@link Throwable} that still escapes a pass, an {@link Error}
 * included, is handed to the owner's failure handler (which ends the stream with one terminal signal),
 * and the loop goes on: the counter always returns to zero, so a throwing pass can never wedge the stream
 * with every later signal left as a note nobody reads. After a failed pass the loop runs one more pass
 * before it counts down, so work queued behind the failure (the UI lane's tasks, a cancel) is not
 * stranded; the owner's pass must therefore cope with being run after its failure handler (terminated
 * state: clean up, signal nothing).
 *
 * <p>Hand-written rather than taken from a library: the JDK has no such primitive ({@code
 * SubmissionPublisher} keeps its own private one), and Reactor/RxJava would be a large dependency for one
 * counter. Thread-safe.
 */
public final class SerialDrain {
  private static final Logger LOG = LoggerFactory.getLogger(SerialDrain.class);

  /** Consecutive failed passes after which the loop stops re-running and only counts down. */
  private static final int MAX_FAILED_PASSES = 3;

  private final AtomicInteger wip = new AtomicInteger();
  private final Runnable pass;
  private final Consumer<Throwable> onFailure;
  private final Executor executor;
  private final Consumer<RuntimeException> onRejected;
  private final String name;

  private SerialDrain(
      String name,
      Runnable pass,
      Consumer<Throwable> onFailure,
      Executor executor,
      Consumer<RuntimeException> onRejected) {
    this.name = Objects.requireNonNull(name, "name");
    this.pass = Objects.requireNonNull(pass, "pass");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.onRejected = Objects.requireNonNull(onRejected, "onRejected");
  }

  /**
   * A drain that runs on the thread that calls {@link #drain()} first.
   *
   * @param name what drains, for log messages (such as {@code "TokenStream"})
   * @param pass one pass over the owner's state; runs serially
   * @param onFailure gets a throwable that escaped a pass; must end the stream (called in the loop)
   * @return the drain
   */
  public static SerialDrain inline(String name, Runnable pass, Consumer<Throwable> onFailure) {
    return new SerialDrain(name, pass, onFailure, Runnable::run, e -> {});
  }

  /**
   * A drain whose loop runs as one task at a time on {@code executor} (a "lane": the UI thread).
   *
   * @param name what drains, for log messages
   * @param pass one pass over the owner's state; runs serially on the executor
   * @param onFailure gets a throwable that escaped a pass; must end the stream (called in the loop)
   * @param executor where the loop runs
   * @param onRejected gets the exception when the executor refuses the loop's task; the drain then stays
   *     busy for good (every later {@link #drain()} only leaves a note), so the owner must end the stream
   * @return the drain
   */
  public static SerialDrain on(
      String name,
      Runnable pass,
      Consumer<Throwable> onFailure,
      Executor executor,
      Consumer<RuntimeException> onRejected) {
    return new SerialDrain(name, pass, onFailure, executor, onRejected);
  }

  /** Notes that there is work; runs (or schedules) the loop unless it is already running. */
  public void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    try {
      executor.execute(this::loop);
    } catch (RuntimeException e) { // RejectedExecutionException, or a broken executor
      onRejected.accept(e);
    }
  }

  private void loop() {
    int missed = 1;
    int failedPasses = 0;
    for (; ; ) {
      try {
        pass.run();
        failedPasses = 0;
      } catch (Throwable t) {
        failedPasses++;
        failed(t);
        if (failedPasses < MAX_FAILED_PASSES) {
          continue; // one more pass, so nothing queued behind the failure is stranded
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  private void failed(Throwable t) {
    LOG.error("{} drain failed; the stream is ended", name, t);
    try {
      onFailure.accept(t);
    } catch (Throwable t2) {
      t.addSuppressed(t2);
      LOG.error("{} failure handler threw as well", name, t2);
    }
  }

  /**
   * Calls a listener (state, metrics or probe callback) under the listener policy: whatever it throws,
   * {@link Error}s included, is logged and ignored, so an observer cannot break the stream it observes.
   *
   * @param log the owner's logger
   * @param what the kind of listener, for the log message
   * @param call the call
   */
  public static void callListener(Logger log, String what, Runnable call) {
    try {
      call.run();
    } catch (Throwable t) {
      log.warn("Exception thrown by {}; ignored", what, t);
    }
  }

  @Override
  public String toString() {
    return "SerialDrain[" + name + ", wip=" + wip.get() + "]";
  }
}
