/**
 * Micrometer bridge for llmstream: {@link dev.llmstream.micrometer.LlmStreamMetrics} turns a provider's
 * {@link dev.llmstream.core.StreamListener} calls into the OpenTelemetry GenAI client metrics
 * ({@code gen_ai.client.*}), llmstream's own {@code llmstream.*} meters and one
 * {@link io.micrometer.observation.Observation} per answer.
 */
@NullMarked
package dev.llmstream.micrometer;

import org.jspecify.annotations.NullMarked;
