package dev.llmstream.testkit.coretests;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;

/**
 * A source the test drives: {@link #offer} delivers an event only when the core has pulled (as a
 * network source that reads only on demand), so a test sees when reading stops.
 */
final class PushSource implements StreamSource {
  private StreamEmitter emitter;
  private boolean pulled;
  volatile boolean cancelled;
  volatile boolean started;
  int pulls;

  @Override
  public synchronized void start(StreamEmitter emitter) {
    this.emitter = emitter;
    started = true;
  }

  @Override
  public synchronized void pull() {
    pulled = true;
    pulls++;
  }

  /** Delivers {@code e} if the core asked for data; returns false if it did not (data stays "in the socket"). */
  boolean offer(StreamEvent e) {
    synchronized (this) {
      if (!pulled || cancelled) {
        return false;
      }
      pulled = false;
    }
    emitter.next(e);
    emitter.pullDone();
    return true;
  }

  boolean text(String s) {
    return offer(new StreamEvent.TextDelta(s));
  }

  void complete() {
    emitter.complete();
  }

  void fail(Throwable t) {
    emitter.fail(t);
  }

  @Override
  public void cancel() {
    cancelled = true;
  }
}
