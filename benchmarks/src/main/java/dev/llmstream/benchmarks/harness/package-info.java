/**
 * The benchmark harness: a loopback SSE server, Groq-shaped chunk bytes, one client adapter per library,
 * latency samples and the bridge from a benchmark to {@link dev.llmstream.benchmarks.StreamMetricsProfiler}.
 * Not part of any published artifact.
 */
@org.jspecify.annotations.NullMarked
package dev.llmstream.benchmarks.harness;
