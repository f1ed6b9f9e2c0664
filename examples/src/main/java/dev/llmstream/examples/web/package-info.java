/** The browser chat example: a small JDK HttpServer, Server-Sent Events to the page, resumable answers. */
@NullMarked
package dev.llmstream.examples.web;

import org.jspecify.annotations.NullMarked;
