/**
 * The service-provider interface a model provider implements: a {@link dev.llmstream.core.spi.StreamSource}
 * produces events on demand into a {@link dev.llmstream.core.spi.StreamEmitter}; the core turns it into a
 * {@link dev.llmstream.core.TokenStream} that honours the Reactive Streams rules. Users of the library do
 * not need this package.
 */
@NullMarked
package dev.llmstream.core.spi;

import org.jspecify.annotations.NullMarked;
