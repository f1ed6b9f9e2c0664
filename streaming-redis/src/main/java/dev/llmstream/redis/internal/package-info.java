/** Internals of the Redis run store: scripts, key names, tail lanes, stop signals. Not API. */
@NullMarked
package dev.llmstream.redis.internal;

import org.jspecify.annotations.NullMarked;
