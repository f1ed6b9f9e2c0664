/**
 * Runs shared through Redis ({@code streaming-redis}) when {@code llmstream.relay.redis.url} is set: the
 * store, the lease watcher, the health probe.
 */
@NullMarked
package dev.llmstream.spring.redis;

import org.jspecify.annotations.NullMarked;
