/**
 * The relay in a Jakarta Servlet 6 container (Tomcat, Jetty, Spring MVC), on async I/O with a
 * non-blocking {@code WriteListener}: {@link dev.llmstream.web.servlet.ServletSse}. Needs
 * {@code jakarta.servlet-api} 6 on the classpath (the container provides it).
 */
@NullMarked
package dev.llmstream.web.servlet;

import org.jspecify.annotations.NullMarked;
