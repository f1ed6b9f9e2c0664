package dev.llmstream.testkit.coretests;

import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import dev.llmstream.testkit.VirtualScheduler;
import java.time.Duration;

/**
 * A model on a virtual clock: {@code count} tokens of {@code tokenText}, sent in bursts of
 * {@code burst} tokens every {@code period} (as Groq sends them), the first burst after
 * {@code firstDelay}. Each pull returns the next token at once if it is due, else when it falls due.
 */
final class TimedSource implements StreamSource {
  private final VirtualScheduler clock;
  private final long count;
  private final int burst;
  private final long periodNanos;
  private final long firstDelayNanos;
  private final String tokenText;
  private StreamEmitter emitter;
  private long start;
  private long next;
  volatile boolean cancelled;

  TimedSource(VirtualScheduler clock, long count, int burst, Duration period, Duration firstDelay, String tokenText) {
    this.clock = clock;
    this.count = count;
    this.burst = burst;
    this.periodNanos = period.toNanos();
    this.firstDelayNanos = firstDelay.toNanos();
    this.tokenText = tokenText;
  }

  /** The virtual time the last token is sent, relative to the start. */
  Duration duration() {
    return Duration.ofNanos(firstDelayNanos + ((count - 1) / burst) * periodNanos);
  }

  @Override
  public void start(StreamEmitter emitter) {
    this.emitter = emitter;
    this.start = clock.nanoTime();
    emitter.next(new StreamEvent.Waiting(null));
  }

  private long dueAt(long i) {
    return start + firstDelayNanos + (i / burst) * periodNanos;
  }

  @Override
  public void pull() {
    if (cancelled) {
      return;
    }
    if (next >= count) {
      emitter.next(StreamEvent.Finish.of(FinishReason.STOP));
      emitter.pullDone();
      emitter.complete();
      return;
    }
    long wait = dueAt(next) - clock.nanoTime();
    if (wait <= 0) {
      emitNext();
    } else {
      clock.schedule(Duration.ofNanos(wait), this::emitNext);
    }
  }

  private void emitNext() {
    if (cancelled) {
      return;
    }
    next++;
    emitter.next(new StreamEvent.TextDelta(tokenText));
    emitter.pullDone();
  }

  @Override
  public void cancel() {
    cancelled = true;
  }
}
