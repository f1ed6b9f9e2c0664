package dev.llmstream.core.internal;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** An in-memory source: one event per pull, then completes or fails. */
public final class ListSource implements StreamSource {
  private final List<? extends StreamEvent> events;
  private final @Nullable StreamException error;
  private int next;
  private @Nullable StreamEmitter emitter;

  /**
   * Creates the source.
   *
   * @param events the events, in order
   * @param error the error to end with, or {@code null} to complete
   */
  public ListSource(List<? extends StreamEvent> events, @Nullable StreamException error) {
    this.events = events;
    this.error = error;
  }

  @Override
  public void start(StreamEmitter emitter) {
    this.emitter = emitter;
    finishIfDone(emitter);
  }

  @Override
  public void pull() {
    StreamEmitter e = emitter;
    if (e == null) {
      return;
    }
    if (next < events.size()) {
      e.next(events.get(next++));
    }
    e.pullDone();
    finishIfDone(e);
  }

  private void finishIfDone(StreamEmitter e) {
    if (next == events.size()) {
      if (error != null) {
        e.fail(error);
      } else {
        e.complete();
      }
    }
  }

  @Override
  public void cancel() {
    next = events.size();
  }
}
