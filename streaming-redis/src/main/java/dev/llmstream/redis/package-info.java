/**
 * A {@link dev.llmstream.web.spi.RunStore} on Redis Streams: {@link dev.llmstream.redis.RedisRunStore}
 * lets every server instance on one Redis follow, stop and take over any answer run. Built on Lettuce's
 * non-blocking API; see {@code streaming-redis/README.md} for keys, guarantees and limits.
 */
@NullMarked
package dev.llmstream.redis;

import org.jspecify.annotations.NullMarked;
