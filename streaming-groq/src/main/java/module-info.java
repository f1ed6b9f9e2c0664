/**
 * The Groq provider of llmstream: {@link dev.llmstream.groq.GroqProvider} streams chat completions from Groq
 * or any OpenAI-compatible server over {@code java.net.http}.
 *
 * <p>Exports {@code dev.llmstream.groq} only; the SSE scanner, chunk decoder and HTTP source in
 * {@code dev.llmstream.groq.internal} stay inside the module. {@code requires dev.llmstream.groq;} is all a
 * modular application needs: it implies {@code dev.llmstream.core} (the types every stream is made of) and
 * {@code java.net.http} ({@link dev.llmstream.groq.GroqProvider.Builder#httpClient} takes an
 * {@code HttpClient}). Jackson and SLF4J are used inside only.
 */
module dev.llmstream.groq {
  requires transitive dev.llmstream.core;
  requires transitive java.net.http;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.llmstream.groq;
}
