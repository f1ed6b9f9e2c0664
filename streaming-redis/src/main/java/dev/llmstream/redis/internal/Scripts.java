package dev.llmstream.redis.internal;

/**
 * The Lua scripts that make each store operation atomic in Redis (one {@code EVAL} each). Keys are
 * derived inside the scripts from the prefix and run id given as arguments, so the store targets one
 * Redis (or a primary with replicas), not Redis Cluster. Answers are short status strings that
 * {@link RedisKeys} maps to the SPI's reasons. Not API.
 *
 * <p>Writes carry a random token: Lettuce re-sends a command that was in flight when a connection
 * dropped (at-least-once), so a script that finds its own token already applied answers {@code OK}
 * instead of a spurious out-of-order refusal.
 */
public final class Scripts {
  private Scripts() {
    throw new AssertionError("no instances");
  }

  /** KEYS: run hash, owner hash, running zset. ARGV: runId, owner, slot, created, max, claimBy, prefix, token, attr pairs. */
  public static final String CREATE =
      """
      local st = redis.call('HGET', KEYS[1], 'status')
      if st then
        if redis.call('HGET', KEYS[1], 'token') == ARGV[8] then return 'OK' end
        return 'DUP'
      end
      local mine = redis.call('HGETALL', KEYS[2])
      local count = 0
      for i = 1, #mine, 2 do
        local other = redis.call('HGET', ARGV[7] .. 'run:{' .. mine[i + 1] .. '}', 'status')
        if other ~= 'RUNNING' then
          redis.call('HDEL', KEYS[2], mine[i])
        elseif mine[i] == ARGV[3] then
          return 'SLOT'
        else
          count = count + 1
        end
      end
      if count >= tonumber(ARGV[5]) then return 'LIMIT' end
      redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
      redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'slot', ARGV[3], 'status', 'RUNNING', 'created', ARGV[4],
          'last', 0, 'readers', 0, 'token', ARGV[8])
      for i = 9, #ARGV, 2 do redis.call('HSET', KEYS[1], 'a:' .. ARGV[i], ARGV[i + 1]) end
      redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
      return 'OK'
      """;

  /**
   * KEYS: run hash, log stream. ARGV: producer, maxlen, token, then (id, type, data) triples.
   * Checks: unknown run, lease held by another, ids in order, run still running.
   */
  public static final String APPEND =
      """
      local st = redis.call('HGET', KEYS[1], 'status')
      if not st then return 'UNKNOWN' end
      local holder = redis.call('HGET', KEYS[1], 'lease')
      if holder and holder ~= ARGV[1] then return 'LEASE' end
      local last = tonumber(redis.call('HGET', KEYS[1], 'last'))
      if tonumber(ARGV[4]) <= last and redis.call('HGET', KEYS[1], 'token') == ARGV[3] then return 'OK' end
      for i = 4, #ARGV, 3 do
        local id = tonumber(ARGV[i])
        if id <= last then return 'ORDER' end
        last = id
      end
      if st ~= 'RUNNING' then return 'ENDED' end
      for i = 4, #ARGV, 3 do
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '0-' .. ARGV[i], 't', ARGV[i + 1], 'd', ARGV[i + 2])
      end
      redis.call('HSET', KEYS[1], 'last', last, 'token', ARGV[3])
      return 'OK'
      """;

  /**
   * KEYS: run hash, log stream, running zset. ARGV: producer, maxlen, token, id, type, data, status,
   * ttlMillis, now, runId, prefix.
   */
  public static final String FINISH =
      """
      local st = redis.call('HGET', KEYS[1], 'status')
      if not st then return 'UNKNOWN' end
      local holder = redis.call('HGET', KEYS[1], 'lease')
      if holder and holder ~= ARGV[1] then return 'LEASE' end
      local last = tonumber(redis.call('HGET', KEYS[1], 'last'))
      if redis.call('HGET', KEYS[1], 'token') == ARGV[3] then return 'OK' end
      if st ~= 'RUNNING' or tonumber(ARGV[4]) <= last then return 'ORDER' end
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '0-' .. ARGV[4], 't', ARGV[5], 'd', ARGV[6])
      local ttl = tonumber(ARGV[8])
      redis.call('HSET', KEYS[1], 'status', ARGV[7], 'last', ARGV[4], 'token', ARGV[3],
          'expiresAt', tonumber(ARGV[9]) + ttl)
      redis.call('HDEL', KEYS[1], 'lease', 'leaseUntil')
      local owner = ARGV[11] .. 'owner:' .. redis.sha1hex(redis.call('HGET', KEYS[1], 'owner'))
      local slot = redis.call('HGET', KEYS[1], 'slot')
      if redis.call('HGET', owner, slot) == ARGV[10] then redis.call('HDEL', owner, slot) end
      redis.call('ZREM', KEYS[3], ARGV[10])
      redis.call('PEXPIRE', KEYS[1], ttl)
      redis.call('PEXPIRE', KEYS[2], ttl)
      return 'OK'
      """;

  /**
   * KEYS: run hash, running zset. ARGV: producer, leaseMillis, now, runId. Answers {@code U} (unknown),
   * {@code E} (ended), {@code H:<stop>} (held by the caller now) or {@code N:<stop>} (held by another);
   * {@code <stop>} is the requested stop reason or empty, so a stop message lost with a pub/sub connection
   * still reaches the producer at its next renewal.
   */
  public static final String CLAIM =
      """
      local st = redis.call('HGET', KEYS[1], 'status')
      if not st then return 'U' end
      if st ~= 'RUNNING' then return 'E' end
      local stop = redis.call('HGET', KEYS[1], 'stop') or ''
      local holder = redis.call('HGET', KEYS[1], 'lease')
      local untilv = tonumber(redis.call('HGET', KEYS[1], 'leaseUntil') or '0')
      local now = tonumber(ARGV[3])
      if (not holder) or holder == ARGV[1] or now >= untilv then
        local next = now + tonumber(ARGV[2])
        redis.call('HSET', KEYS[1], 'lease', ARGV[1], 'leaseUntil', next)
        redis.call('ZADD', KEYS[2], next, ARGV[4])
        return 'H:' .. stop
      end
      return 'N:' .. stop
      """;

  /** KEYS: run hash. ARGV: reason, channel, runId. Answers U, 0 (finished), 1 (running: stop asked). */
  public static final String STOP =
      """
      local st = redis.call('HGET', KEYS[1], 'status')
      if not st then return 'U' end
      if st ~= 'RUNNING' then return '0' end
      if redis.call('HSETNX', KEYS[1], 'stop', ARGV[1]) == 1 then
        redis.call('PUBLISH', ARGV[2], ARGV[3] .. ' ' .. ARGV[1])
      end
      return '1'
      """;

  /** KEYS: run hash. ARGV: delta. Answers U or the new reader count (never below 0). */
  public static final String READERS =
      """
      if redis.call('EXISTS', KEYS[1]) == 0 then return 'U' end
      local n = redis.call('HINCRBY', KEYS[1], 'readers', tonumber(ARGV[1]))
      if n < 0 then
        redis.call('HSET', KEYS[1], 'readers', 0)
        n = 0
      end
      return tostring(n)
      """;

  /**
   * Puts back a running run that Redis lost (restarted without persistence) from the producer's copy.
   * KEYS: run hash, log stream, running zset, owner hash. ARGV: producer, maxlen, now, leaseMillis, runId,
   * slot, field count, field pairs, then (id, type, data) triples. Answers {@code EXISTS} if the run is
   * there (nothing done) or {@code OK}.
   */
  public static final String RESTORE =
      """
      if redis.call('EXISTS', KEYS[1]) == 1 then return 'EXISTS' end
      local i = 8
      for j = 1, tonumber(ARGV[7]) do
        redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
        i = i + 2
      end
      local last = 0
      while i <= #ARGV do
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '0-' .. ARGV[i], 't', ARGV[i + 1], 'd', ARGV[i + 2])
        last = ARGV[i]
        i = i + 3
      end
      local next = tonumber(ARGV[3]) + tonumber(ARGV[4])
      redis.call('HSET', KEYS[1], 'status', 'RUNNING', 'last', last, 'readers', 0, 'lease', ARGV[1],
          'leaseUntil', next)
      redis.call('ZADD', KEYS[3], next, ARGV[5])
      redis.call('HSET', KEYS[4], ARGV[6], ARGV[5])
      return 'OK'
      """;
}
