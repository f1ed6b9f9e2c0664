/**
 * Micrometer metrics and observations for llmstream: {@link dev.llmstream.micrometer.LlmStreamMetrics}
 * (the OpenTelemetry GenAI client metrics and the {@code llmstream.*} ones, an {@code Observation} per
 * answer), {@link dev.llmstream.micrometer.RelayMetrics} and {@link dev.llmstream.micrometer.BrowserMetrics}.
 *
 * <p>Exports {@code dev.llmstream.micrometer} only; the GenAI names and buckets in
 * {@code dev.llmstream.micrometer.internal} stay inside. {@code requires transitive} for core and for
 * Micrometer's {@code micrometer.core} and {@code micrometer.observation}: the API takes their
 * {@code MeterRegistry} and {@code ObservationRegistry}. Micrometer ships automatic module names, not
 * descriptors, hence the suppressed lints. The relay ({@code dev.llmstream.web}) is a {@code static}
 * dependency: only {@code RelayMetrics} uses it, and an application that binds the relay already requires
 * it.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.llmstream.micrometer {
  requires transitive dev.llmstream.core;
  requires transitive micrometer.core;
  requires transitive micrometer.observation;
  requires transitive micrometer.commons;
  requires static dev.llmstream.web;

  exports dev.llmstream.micrometer;
}
