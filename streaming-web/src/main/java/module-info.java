/**
 * Answers that outlive the HTTP request: {@link dev.llmstream.web.AnswerRuns} runs an answer on the server,
 * keeps its events in a {@link dev.llmstream.web.spi.RunStore} and relays them to any number of browsers
 * over SSE with resume.
 *
 * <p>Exports the API packages only: {@code dev.llmstream.web} (runs, options, readers, the SSE seams),
 * {@code dev.llmstream.web.spi} (the store SPI a Redis or other store implements), and the two adapters,
 * {@code dev.llmstream.web.jdk} (JDK {@code HttpServer}) and {@code dev.llmstream.web.servlet} (Servlet 6
 * async). The in-memory store, producer, relay and encoder in {@code dev.llmstream.web.internal} stay
 * inside the module.
 *
 * <p>Each adapter's server API is a {@code static} dependency: an application that uses an adapter already
 * requires that server's module ({@code jdk.httpserver} or {@code jakarta.servlet}, which a Servlet
 * container provides), and one that uses neither needs neither. Not {@code transitive}: javac treats a
 * {@code static transitive} module as mandatory when compiling every module that reads this one, so a
 * user of the JDK adapter (or of the Redis store) would have to put the Servlet API on the module path. The
 * adapters' signatures take those servers' types; the application that calls an adapter requires its
 * server's module itself. Jackson's streaming parser and SLF4J are used inside only.
 */
module dev.llmstream.web {
  requires transitive dev.llmstream.core;
  requires static jdk.httpserver;
  requires static jakarta.servlet;
  requires com.fasterxml.jackson.core;
  requires org.slf4j;

  exports dev.llmstream.web;
  exports dev.llmstream.web.spi;
  exports dev.llmstream.web.jdk;
  exports dev.llmstream.web.servlet;
}
