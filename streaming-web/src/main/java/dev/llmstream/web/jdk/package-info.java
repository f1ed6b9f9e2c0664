/**
 * The relay on the JDK's built-in {@code com.sun.net.httpserver.HttpServer}:
 * {@link dev.llmstream.web.jdk.JdkSseAdapter}.
 */
@NullMarked
package dev.llmstream.web.jdk;

import org.jspecify.annotations.NullMarked;
