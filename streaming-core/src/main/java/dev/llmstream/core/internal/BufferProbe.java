package dev.llmstream.core.internal;

import dev.llmstream.core.StreamEvent;

/**
 * Observes what a {@link StreamBufferImpl} receives and emits, for metrics ({@link UiConnectionImpl}'s
 * bridge to the stream's metrics). Called from the buffer's drain loop (serially, no lock held); must be
 * fast and must not throw.
 */
interface BufferProbe {
  /** A probe that does nothing. */
  BufferProbe NONE =
      new BufferProbe() {
        @Override
        public void arrived(StreamEvent event, long nanos) {}

        @Override
        public void emitting(StreamEvent event, long oldestArrivalNanos, int deltas) {}
      };

  /**
   * An event arrived from upstream.
   *
   * @param event the event
   * @param nanos the scheduler time of arrival
   */
  void arrived(StreamEvent event, long nanos);

  /**
   * An event is about to be handed to the downstream.
   *
   * @param event the (possibly coalesced) event
   * @param oldestArrivalNanos when the oldest part of it arrived
   * @param deltas how many upstream deltas it holds (0 for a non-text event)
   */
  void emitting(StreamEvent event, long oldestArrivalNanos, int deltas);
}
