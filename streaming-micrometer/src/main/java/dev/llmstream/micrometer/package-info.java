/**
 * Micrometer bridge for llmstream: {@link dev.llmstream.micrometer.LlmStreamMetrics} turns a provider's
 * {@link dev.llmstream.core.StreamListener} calls into the OpenTelemetry GenAI client metrics
 * ({@code gen_ai.client.*}), llmstream's own {@code llmstream.*} meters and one
 * {@link io.micrometer.observation.Observation} per answer; {@link dev.llmstream.micrometer.RelayMetrics}
 * reads the relay's counters ({@code llmstream.relay.*}, with {@code streaming-web}) and
 * {@link dev.llmstream.micrometer.BrowserMetrics} records what a browser page reports
 * ({@code llmstream.ui.display.lag}, {@code llmstream.ui.long.frames}).
 */
@NullMarked
package dev.llmstream.micrometer;

import org.jspecify.annotations.NullMarked;
