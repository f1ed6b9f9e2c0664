package dev.llmstream.micrometer;

import dev.llmstream.core.StreamTrace;
import io.micrometer.observation.Observation;

/**
 * The {@link Observation.Context} of one answer: carries the stream's {@link StreamTrace}, from which a
 * {@link StreamObservationConvention} derives the observation's name and key values. Created by
 * {@link LlmStreamMetrics} when the request is sent; read by observation handlers (tracing, metrics)
 * on the stream's threads. Not thread-safe beyond what {@link Observation.Context} promises; the trace
 * itself is safe to read from any thread.
 */
public class StreamObservationContext extends Observation.Context {
  private final StreamTrace trace;

  /**
   * Creates the context of one answer.
   *
   * @param trace the stream's trace
   */
  public StreamObservationContext(StreamTrace trace) {
    this.trace = trace;
  }

  /**
   * The stream being observed.
   *
   * @return its trace
   */
  public StreamTrace trace() {
    return trace;
  }
}
