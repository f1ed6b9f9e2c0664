package dev.llmstream.redis.internal;

import dev.llmstream.core.StreamScheduler;
import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunRecord;
import dev.llmstream.web.spi.RunStatus;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The producer side of the Redis store: create, append, finish and claim, each one atomic script. A run's
 * appends and finish go out one at a time through its {@link RunMirrors.Mirror} chain (in call order, as the
 * SPI requires), and a write that finds the run gone while this instance produces it restores the run
 * from the mirror first. Thread-safe.
 */
public final class RunWrites {
  private final RedisAsyncCommands<String, String> redis;
  private final RedisKeys keys;
  private final LongSupplier wallClock;
  private final long maxLogLength;
  private final Duration claimGrace;
  private final StopSignals stops;
  private final RunMirrors mirrors = new RunMirrors();
  private final Map<String, CompletableFuture<RunMirrors.Mirror>> loads = new ConcurrentHashMap<>();
  private final StreamScheduler scheduler;
  private final Duration retryLimit;
  private final BooleanSupplier closed;

  /**
   * Creates the writer.
   *
   * @param redis the command connection
   * @param keys key names
   * @param wallClock epoch millis for leases and expiry
   * @param maxLogLength the streams' approximate cap
   * @param claimGrace the lease a new or restored run gets until its producer renews it
   * @param stops where a stop found by a lease renewal goes
   * @param scheduler retry timers
   * @param retryLimit how long a write is retried while Redis cannot be reached
   * @param closed whether the store was closed (no more retries)
   */
  public RunWrites(RedisAsyncCommands<String, String> redis, RedisKeys keys, LongSupplier wallClock,
      long maxLogLength, Duration claimGrace, StopSignals stops, StreamScheduler scheduler, Duration retryLimit,
      BooleanSupplier closed) {
    this.scheduler = scheduler;
    this.retryLimit = retryLimit;
    this.closed = closed;
    this.redis = redis;
    this.keys = keys;
    this.wallClock = wallClock;
    this.maxLogLength = maxLogLength;
    this.claimGrace = claimGrace;
    this.stops = stops;
  }

  /**
   * Creates a run (see the SPI).
   *
   * @param run the run
   * @param maxRunningPerOwner the owner limit
   * @return completes when stored
   */
  public CompletableFuture<Void> create(RunRecord run, int maxRunningPerOwner) {
    Map<String, String> fields = new HashMap<>();
    fields.put("owner", run.owner());
    fields.put("slot", run.slot());
    fields.put("created", Long.toString(run.createdAtMillis()));
    List<String> args = new ArrayList<>(List.of(run.runId(), run.owner(), run.slot(),
        Long.toString(run.createdAtMillis()), Integer.toString(maxRunningPerOwner),
        Long.toString(wallClock.getAsLong() + claimGrace.toMillis()), keys.prefix(), token()));
    run.attributes().forEach((k, v) -> {
      args.add(k);
      args.add(v);
      fields.put("a:" + k, v);
    });
    String[] k = {keys.run(run.runId()), keys.owner(run.owner()), keys.running()};
    return script(Scripts.CREATE, k, args.toArray(String[]::new)).thenApply(code -> {
      ok(code);
      mirrors.created(run.runId(), run.owner(), run.slot(), fields);
      return null;
    });
  }

  /**
   * Appends (see the SPI).
   *
   * @param runId the run
   * @param producerId the producer
   * @param events the events
   * @return completes when stored
   */
  public CompletableFuture<Void> append(String runId, String producerId, List<RunEvent> events) {
    return mirror(runId).thenCompose(m -> m.then(() -> sendAppend(runId, producerId, events, m, true)));
  }

  private CompletableFuture<Void> sendAppend(
      String runId, String producerId, List<RunEvent> events, RunMirrors.Mirror m, boolean mayRestore) {
    String[] args = new String[3 + 3 * events.size()];
    args[0] = producerId;
    args[1] = Long.toString(maxLogLength);
    args[2] = token();
    int i = 3;
    for (RunEvent e : events) {
      args[i++] = Long.toString(e.id());
      args[i++] = e.type();
      args[i++] = e.data();
    }
    return script(Scripts.APPEND, new String[] {keys.run(runId), keys.log(runId)}, args).thenCompose(code -> {
      if (code.equals("UNKNOWN") && mayRestore) {
        return restore(runId, producerId, m).thenCompose(v -> sendAppend(runId, producerId, events, m, false));
      }
      if (code.equals("LEASE")) {
        mirrors.drop(runId);
      }
      ok(code);
      m.acked(events);
      return CompletableFuture.completedFuture(null);
    });
  }

  /**
   * Finishes (see the SPI).
   *
   * @param runId the run
   * @param producerId the producer
   * @param done the done event
   * @param status the final status
   * @param ttl how long it stays
   * @return completes when recorded
   */
  public CompletableFuture<Void> finish(
      String runId, String producerId, RunEvent done, RunStatus status, Duration ttl) {
    return mirror(runId).thenCompose(m -> m.then(() -> sendFinish(runId, producerId, done, status, ttl, m, true)));
  }

  private CompletableFuture<Void> sendFinish(String runId, String producerId, RunEvent done, RunStatus status,
      Duration ttl, RunMirrors.Mirror m, boolean mayRestore) {
    String[] k = {keys.run(runId), keys.log(runId), keys.running()};
    String[] args = {producerId, Long.toString(maxLogLength), token(), Long.toString(done.id()), done.type(),
        done.data(), status.name(), Long.toString(Math.max(1, ttl.toMillis())),
        Long.toString(wallClock.getAsLong()), runId, keys.prefix()};
    return script(Scripts.FINISH, k, args).thenCompose(code -> {
      if (code.equals("UNKNOWN") && mayRestore) {
        return restore(runId, producerId, m)
            .thenCompose(v -> sendFinish(runId, producerId, done, status, ttl, m, false));
      }
      if (code.equals("OK") || code.equals("LEASE")) {
        mirrors.drop(runId);
      }
      ok(code);
      return CompletableFuture.completedFuture(null);
    });
  }

  /**
   * Claims or renews the lease (see the SPI); restores a run Redis lost while this instance produces it.
   *
   * @param runId the run
   * @param producerId the producer
   * @param lease the lease
   * @return whether the producer holds it
   */
  public CompletableFuture<Boolean> claim(String runId, String producerId, Duration lease) {
    return sendClaim(runId, producerId, lease, true);
  }

  private CompletableFuture<Boolean> sendClaim(String runId, String producerId, Duration lease, boolean mayRestore) {
    String[] args = {producerId, Long.toString(Math.max(1, lease.toMillis())),
        Long.toString(wallClock.getAsLong()), runId};
    return script(Scripts.CLAIM, new String[] {keys.run(runId), keys.running()}, args).thenCompose(code -> {
      RunMirrors.Mirror m = mirrors.get(runId);
      if (code.equals("U")) {
        if (m != null && mayRestore) {
          return restore(runId, producerId, m).thenCompose(v -> sendClaim(runId, producerId, lease, false));
        }
        throw RedisKeys.unknown();
      }
      if (code.length() > 2) {
        stops.heard(runId, code.substring(2)); // a stop whose pub/sub message was lost
      }
      if (code.startsWith("N:") && m != null) {
        mirrors.drop(runId);
      }
      return CompletableFuture.completedFuture(code.startsWith("H:"));
    });
  }

  /**
   * Whether this instance produces the run (it created it or took it over, and has not lost it).
   *
   * @param runId the run
   * @return {@code true} if so
   */
  public boolean produces(String runId) {
    return mirrors.get(runId) != null;
  }

  private CompletableFuture<String> restore(String runId, String producerId, RunMirrors.Mirror m) {
    List<RunEvent> events = m.events();
    List<String> args = new ArrayList<>(List.of(producerId, Long.toString(maxLogLength),
        Long.toString(wallClock.getAsLong()), Long.toString(claimGrace.toMillis()), runId, m.slot(),
        Integer.toString(m.fields().size())));
    m.fields().forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    for (RunEvent e : events) {
      args.add(Long.toString(e.id()));
      args.add(e.type());
      args.add(e.data());
    }
    String[] k = {keys.run(runId), keys.log(runId), keys.running(), keys.owner(m.owner())};
    return script(Scripts.RESTORE, k, args.toArray(String[]::new));
  }

  /** The run's mirror; for a run taken over here, loaded from Redis on its first write. */
  private CompletableFuture<RunMirrors.Mirror> mirror(String runId) {
    RunMirrors.Mirror m = mirrors.get(runId);
    if (m != null) {
      return CompletableFuture.completedFuture(m);
    }
    CompletableFuture<RunMirrors.Mirror> f = loads.computeIfAbsent(runId, this::load);
    f.whenComplete((loaded, err) -> {
      if (loaded != null) {
        mirrors.adopt(runId, loaded);
      }
      loads.remove(runId, f);
    });
    return f.thenApply(loaded -> {
      RunMirrors.Mirror canonical = mirrors.get(runId);
      return canonical == null ? loaded : canonical;
    });
  }

  private CompletableFuture<RunMirrors.Mirror> load(String runId) {
    CompletableFuture<Map<String, String>> hash = redis.hgetall(keys.run(runId)).toCompletableFuture();
    CompletableFuture<List<RunEvent>> log = redis.xrange(keys.log(runId), Range.create("-", "+"))
        .toCompletableFuture().thenApply(RedisKeys::events);
    return hash.thenCombine(log, (h, events) -> {
      if (!h.containsKey("status")) {
        throw RedisKeys.unknown();
      }
      Map<String, String> fields = new HashMap<>();
      h.forEach((k, v) -> {
        if (k.startsWith("a:") || k.equals("owner") || k.equals("slot") || k.equals("created")) {
          fields.put(k, v);
        }
      });
      return RunMirrors.of(h.getOrDefault("owner", ""), h.getOrDefault("slot", ""), fields, events);
    });
  }

  /**
   * Runs a script, retrying while Redis cannot be reached (a command in flight when a connection breaks
   * fails with an I/O error), for at most {@code retryLimit}; the scripts' tokens make a retry of a write
   * that did land harmless. A script's own answer (a refusal) is never retried.
   */
  private CompletableFuture<String> script(String lua, String[] k, String... args) {
    CompletableFuture<String> out = new CompletableFuture<>();
    attempt(lua, k, args, scheduler.nanoTime(), 0, out);
    return out;
  }

  private void attempt(String lua, String[] k, String[] args, long since, int n, CompletableFuture<String> out) {
    CompletableFuture<String> sent;
    try {
      sent = redis.<String>eval(lua, ScriptOutputType.VALUE, k, args).toCompletableFuture();
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((code, err) -> {
      if (err == null) {
        out.complete(code);
      } else if (closed.getAsBoolean() || scheduler.nanoTime() - since >= retryLimit.toNanos()) {
        out.completeExceptionally(err);
      } else {
        Duration delay = Duration.ofMillis(Math.min(1_000, 50L << Math.min(n, 5)));
        scheduler.schedule(delay, () -> attempt(lua, k, args, since, n + 1, out));
      }
    });
  }

  private static void ok(String code) {
    if (!"OK".equals(code)) {
      throw RedisKeys.refusal(code);
    }
  }

  private static String token() {
    return UUID.randomUUID().toString();
  }
}
