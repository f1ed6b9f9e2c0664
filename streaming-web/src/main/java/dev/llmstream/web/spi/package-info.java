/**
 * The storage SPI of the relay: {@link dev.llmstream.web.spi.RunStore} keeps each run's metadata and event
 * log, tails it for readers, carries the stop signal to the producer and leases the producer role. The
 * in-memory default is {@link dev.llmstream.web.spi.RunStore#inMemory(dev.llmstream.core.StreamScheduler)};
 * a Redis implementation lives in its own module. Every operation is asynchronous
 * ({@link java.util.concurrent.CompletionStage} or a callback), so a network store never blocks a caller.
 */
@NullMarked
package dev.llmstream.web.spi;

import org.jspecify.annotations.NullMarked;
