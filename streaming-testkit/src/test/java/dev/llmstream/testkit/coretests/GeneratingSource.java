package dev.llmstream.testkit.coretests;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted source for tests: emits {@code count} text deltas ("t0", "t1", ...) lazily, {@code perPull}
 * per pull, then completes. Runs each pull on {@code executor} (use {@code Runnable::run} for a
 * synchronous source). Counts starts, pulls and cancels so tests can check what the core asked for.
 */
final class GeneratingSource implements StreamSource {
  private final long count;
  private final int perPull;
  private final Executor executor;
  private volatile StreamEmitter emitter;
  private long produced;
  final AtomicInteger starts = new AtomicInteger();
  final AtomicInteger pulls = new AtomicInteger();
  final AtomicInteger cancels = new AtomicInteger();
  final AtomicBoolean pullInFlight = new AtomicBoolean();
  final AtomicInteger overlappingPulls = new AtomicInteger();

  GeneratingSource(long count, int perPull, Executor executor) {
    this.count = count;
    this.perPull = perPull;
    this.executor = executor;
  }

  static GeneratingSource sync(long count) {
    return new GeneratingSource(count, 1, Runnable::run);
  }

  @Override
  public void start(StreamEmitter emitter) {
    starts.incrementAndGet();
    this.emitter = emitter;
    if (count == 0) {
      emitter.complete();
    }
  }

  @Override
  public void pull() {
    pulls.incrementAndGet();
    if (!pullInFlight.compareAndSet(false, true)) {
      overlappingPulls.incrementAndGet();
    }
    executor.execute(
        () -> {
          StreamEmitter e = emitter;
          long before;
          long after;
          synchronized (this) {
            before = produced;
            after = Math.min(count, before + perPull);
            produced = after;
          }
          for (long i = before; i < after; i++) {
            e.next(new StreamEvent.TextDelta("t" + i));
          }
          pullInFlight.set(false);
          e.pullDone();
          if (after == count) {
            e.complete();
          }
        });
  }

  @Override
  public void cancel() {
    cancels.incrementAndGet();
  }
}
