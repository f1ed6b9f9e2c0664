/**
 * Test tools for code that streams model answers: a scripted fake Groq server
 * ({@link dev.llmstream.testkit.FakeGroqServer}, scripted per request by
 * {@link dev.llmstream.testkit.ResponseScript}), a simulated model for demos
 * ({@link dev.llmstream.testkit.SimulatedModel}), a virtual clock
 * ({@link dev.llmstream.testkit.VirtualScheduler}), a recording {@code Flow.Subscriber}
 * ({@link dev.llmstream.testkit.TestSubscriber}), a recording {@code UiSink}
 * ({@link dev.llmstream.testkit.RecordingSink}) and AssertJ assertions
 * ({@link dev.llmstream.testkit.StreamAssertions}).
 *
 * <p>Everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.llmstream.testkit;

import org.jspecify.annotations.NullMarked;
