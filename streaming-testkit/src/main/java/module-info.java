/**
 * The llmstream testkit: a scripted fake Groq server ({@link dev.llmstream.testkit.FakeGroqServer}), a
 * virtual clock ({@link dev.llmstream.testkit.VirtualScheduler}), a recording subscriber
 * ({@link dev.llmstream.testkit.TestSubscriber}), a recording UI sink
 * ({@link dev.llmstream.testkit.RecordingSink}) and AssertJ assertions on streams
 * ({@link dev.llmstream.testkit.StreamAssertions}).
 *
 * <p>Exports {@code dev.llmstream.testkit} only; the loopback server and wire encoding in
 * {@code dev.llmstream.testkit.internal} stay inside the module. {@code requires dev.llmstream.testkit;}
 * implies {@code dev.llmstream.core} and AssertJ, whose types the assertions return.
 */
module dev.llmstream.testkit {
  requires transitive dev.llmstream.core;
  requires transitive org.assertj.core;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.llmstream.testkit;
}
