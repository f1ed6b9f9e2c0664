/**
 * Runnable examples: {@code web} (browser chat), {@code chat} (terminal chat), {@code ask} (one-shot CLI for
 * scripts) and a custom Swing sink. Start with {@code java -jar examples/target/streaming-examples.jar}.
 */
@NullMarked
package dev.llmstream.examples;

import org.jspecify.annotations.NullMarked;
