package dev.llmstream.spring.actuate;

import org.jspecify.annotations.Nullable;

/**
 * Whether the shared run store (Redis) answers, for the {@code llmstream} health indicator. The Redis
 * auto-configuration defines one (a {@code PING} with {@code llmstream.relay.redis.health-timeout});
 * without one the indicator shows no store. Implementations are thread-safe, bounded in time (a health
 * probe must never hang) and never report a password or a URL with credentials.
 */
@FunctionalInterface
public interface RunStoreProbe {
  /**
   * Checks the store now. May block the calling (health endpoint) thread for at most the probe's own
   * timeout.
   *
   * @return the outcome
   */
  Result probe();

  /**
   * One check's outcome.
   *
   * @param store what was checked, such as {@code redis}
   * @param target where, without credentials (such as {@code 127.0.0.1:6379})
   * @param reachable whether it answered in time
   * @param error the kind of failure when not reachable (such as {@code timeout} or
   *     {@code connection refused}), never a URL or a password
   */
  record Result(String store, String target, boolean reachable, @Nullable String error) {}
}
