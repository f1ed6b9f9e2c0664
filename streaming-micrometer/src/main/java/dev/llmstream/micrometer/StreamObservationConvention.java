package dev.llmstream.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names an answer's {@link Observation} and its key values. Implement it (or extend
 * {@link DefaultStreamObservationConvention}) to rename or add keys, and pass it to
 * {@link LlmStreamMetrics.Builder#observationConvention(StreamObservationConvention)}. Implementations
 * are thread-safe. Keep user ids, prompts and request ids out of the low-cardinality key values: those
 * become metric tags.
 */
public interface StreamObservationConvention extends ObservationConvention<StreamObservationContext> {

  @Override
  default boolean supportsContext(Observation.Context context) {
    return context instanceof StreamObservationContext;
  }
}
