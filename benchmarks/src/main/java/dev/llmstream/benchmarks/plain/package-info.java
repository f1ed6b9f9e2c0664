/**
 * The plain harness: the one-stream throughput and first-token comparison as a {@code main} without JMH
 * ({@link dev.llmstream.benchmarks.plain.PlainHarness}), on the JDK's {@code HttpServer}, so anyone can
 * reproduce it with {@code java -cp benchmarks.jar}. Not part of any published artifact.
 */
@org.jspecify.annotations.NullMarked
package dev.llmstream.benchmarks.plain;
