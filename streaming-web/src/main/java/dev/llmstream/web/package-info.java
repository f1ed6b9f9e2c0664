/**
 * Answers that outlive the HTTP request.
 *
 * <ul>
 *   <li>{@link dev.llmstream.web.AnswerRuns}: start an answer for an owner as a <em>run</em> with an
 *       unguessable id; the answer streams through the core's {@code UiConnection.buffer} into the run's event log
 *       (a {@link dev.llmstream.web.spi.RunStore}), independent of any connection; stop it; read it.
 *   <li>{@link dev.llmstream.web.RunReader}, {@link dev.llmstream.web.SseSink},
 *       {@link dev.llmstream.web.SseConnection}: the Server-Sent Events relay between a run and one browser
 *       connection, written to a non-blocking sink that an adapter provides
 *       ({@link dev.llmstream.web.jdk} for the JDK's {@code HttpServer}, {@link dev.llmstream.web.servlet}
 *       for Servlet 6 containers).
 * </ul>
 *
 * <p>The wire protocol is {@code docs/WEB-PROTOCOL.md}. Everything is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.llmstream.web;

import org.jspecify.annotations.NullMarked;
