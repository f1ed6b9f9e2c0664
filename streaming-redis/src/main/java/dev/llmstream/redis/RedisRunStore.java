package dev.llmstream.redis;

import dev.llmstream.core.StreamScheduler;
import dev.llmstream.redis.internal.RedisKeys;
import dev.llmstream.redis.internal.RedisTail;
import dev.llmstream.redis.internal.RunWrites;
import dev.llmstream.redis.internal.Scripts;
import dev.llmstream.redis.internal.StopSignals;
import dev.llmstream.redis.internal.TailLanes;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunRecord;
import dev.llmstream.web.spi.RunStatus;
import dev.llmstream.web.spi.RunStore;
import dev.llmstream.web.spi.RunStoreException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RunStore} on Redis Streams, shared by every server instance that points at the same Redis: any
 * instance can follow, stop or take over any run. See {@code streaming-redis/README.md} for the keys,
 * guarantees and limits.
 *
 * <p><b>Connections.</b> One command connection (reader-side commands, pipelined by Lettuce), one write
 * connection (producer writes and lease renewals, so reader traffic never delays a renewal), one pub/sub
 * connection (stop requests), and a fixed number of tail lanes ({@link Builder#lanes(int)}, default
 * 2) that multiplex every reader's {@code XREAD BLOCK}: connections and threads do not grow with readers
 * or runs. Lettuce's event loop threads run the callbacks.
 *
 * <p><b>Faults.</b> Lettuce reconnects and replays queued commands in order (at most
 * {@link Builder#requestQueueSize(int)} queued). Producer writes ({@code append}, {@code finish},
 * {@code claim}) wait for Redis to return rather than fail, so an outage does not end the model call;
 * reader-facing calls fail with {@link RunStoreException.Reason#UNAVAILABLE} after
 * {@link Builder#operationTimeout(Duration)}; a waiting tail fails after {@link Builder#outageLimit(Duration)}
 * of outage (the browser then resumes with {@code Last-Event-ID}).
 *
 * <p><b>Time.</b> Lease deadlines and expiry are compared with {@link Builder#wallClock(LongSupplier)}
 * (epoch millis; instances' clocks must agree to well under the lease), timers run on the injected
 * {@link StreamScheduler}. Thread-safe; close it after the {@link AnswerRuns} that use it.
 */
public final class RedisRunStore implements RunStore {
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> redis;
  private final RedisKeys keys;
  private final TailLanes lanes;
  private final StopSignals stops;
  private final StreamScheduler scheduler;
  private final LongSupplier wallClock;
  private final Duration operationTimeout;
  private final StatefulRedisConnection<String, String> writeConnection;
  private final RunWrites writes;
  private final ClientResources resources;
  private final RedisClient writeClient;
  private final ClientResources writeResources;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisRunStore(Builder b) {
    this.scheduler = b.scheduler;
    this.wallClock = b.wallClock;
    this.operationTimeout = b.operationTimeout;
    this.keys = new RedisKeys(b.keyPrefix);
    this.resources = ClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources, b.uri);
    this.writeResources = ClientResources.builder()
        .ioThreadPoolSize(1)
        .computationThreadPoolSize(1)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.writeClient = RedisClient.create(writeResources, b.uri);
    ClientOptions options = ClientOptions.builder()
        .autoReconnect(true)
        .requestQueueSize(b.requestQueueSize)
        .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
        .build();
    client.setOptions(options);
    writeClient.setOptions(options);
    try {
      this.connection = client.connect();
      this.redis = connection.async();
      List<StatefulRedisConnection<String, String>> laneConnections = new ArrayList<>();
      for (int i = 0; i < b.lanes; i++) {
        laneConnections.add(client.connect());
      }
      this.lanes = new TailLanes(laneConnections, redis, keys, scheduler, b.block, b.outageLimit);
      this.stops = new StopSignals(client.connectPubSub(), keys.stopChannel(), scheduler);
      // producer writes and lease renewals on a client with its own I/O thread: reader traffic (and the
      // relay's work done on reader I/O threads) never delays a renewal
      this.writeConnection = writeClient.connect();
      this.writes = new RunWrites(writeConnection.async(), keys, wallClock, b.maxLogLength, b.claimGrace, stops, scheduler,
          b.writeRetryLimit, closed::get);
    } catch (RuntimeException e) {
      client.shutdown();
      writeClient.shutdown();
      resources.shutdown();
      writeResources.shutdown();
      throw new RunStoreException(RunStoreException.Reason.UNAVAILABLE,
          "cannot connect to Redis at " + b.uri.getHost() + ":" + b.uri.getPort()
              + " (" + e.getClass().getSimpleName() + "); start Redis or fix the --redis URL", e);
    }
  }

  /**
   * A builder for a store on the Redis at {@code uri} ({@code redis://host:port}, {@code rediss://...}).
   *
   * @param uri the Redis URI
   * @return a new builder
   * @throws IllegalArgumentException if the URI is not a Redis URI
   */
  public static Builder builder(String uri) {
    Objects.requireNonNull(uri, "uri");
    return new Builder(RedisURI.create(uri));
  }

  @Override
  public CompletionStage<Void> create(RunRecord run, int maxRunningPerOwner) {
    if (run.status() != RunStatus.RUNNING) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("a new run must be RUNNING, was " + run.status()));
    }
    return timed(guard(() -> writes.create(run, maxRunningPerOwner)), "create the run");
  }

  @Override
  public CompletionStage<Optional<RunRecord>> find(String runId) {
    return timed(guard(() -> redis.hgetall(keys.run(runId))), "look the run up").thenApply(h -> record(runId, h));
  }

  private Optional<RunRecord> record(String runId, Map<String, String> h) {
    String status = h.get("status");
    if (status == null || expired(h.get("expiresAt"))) {
      return Optional.empty();
    }
    Map<String, String> attributes = new HashMap<>();
    h.forEach((k, v) -> {
      if (k.startsWith("a:")) {
        attributes.put(k.substring(2), v);
      }
    });
    return Optional.of(new RunRecord(runId, h.getOrDefault("owner", ""), h.getOrDefault("slot", ""),
        RunStatus.valueOf(status), Long.parseLong(h.getOrDefault("created", "0")), attributes));
  }

  private boolean expired(@Nullable String expiresAt) {
    return expiresAt != null && wallClock.getAsLong() >= Long.parseLong(expiresAt);
  }

  @Override
  public CompletionStage<Void> append(String runId, String producerId, List<RunEvent> events) {
    if (events.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return untimed(guard(() -> writes.append(runId, producerId, List.copyOf(events))), "append");
  }

  @Override
  public CompletionStage<List<RunEvent>> read(String runId, long afterId, int maxEvents) {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be >= 1, was " + maxEvents);
    }
    return timed(guard(() -> {
      CompletionStage<List<RunEvent>> events =
          redis.xrange(keys.log(runId), Range.create(RedisKeys.entryId(afterId + 1), "+"), Limit.from(maxEvents))
              .thenApply(RedisKeys::events);
      return events.thenCompose(ev -> {
        if (!ev.isEmpty()) {
          return CompletableFuture.completedFuture(ev); // the stream exists, so the run does (one round trip)
        }
        return redis.hmget(keys.run(runId), "status", "expiresAt").thenApply(l -> {
          if (!l.get(0).hasValue() || expired(l.get(1).getValueOrElse(null))) {
            throw RedisKeys.unknown();
          }
          return ev;
        });
      });
    }), "read the run");
  }

  @Override
  public Tail tail(String runId, long afterId, int maxEvents, TailListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be >= 1, was " + maxEvents);
    }
    return new RedisTail(this::read, lanes, runId, afterId, maxEvents, listener);
  }

  @Override
  public CompletionStage<Void> finish(
      String runId, String producerId, RunEvent done, RunStatus status, Duration ttl) {
    if (!status.isFinished()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("finish needs a finished status, was " + status));
    }
    return untimed(guard(() -> writes.finish(runId, producerId, done, status, ttl)), "record the run's end")
        .thenRun(() -> {
          stops.forget(runId);
          scheduler.schedule(ttl, () -> lanes.failRun(runId, RedisKeys.unknown()));
        });
  }

  @Override
  public CompletionStage<Boolean> requestStop(String runId, String reason) {
    Objects.requireNonNull(reason, "reason");
    String[] args = {reason, keys.stopChannel(), runId};
    return timed(script(Scripts.STOP, new String[] {keys.run(runId)}, args), "send the stop")
        .thenApply(code -> switch (code) {
          case "U" -> throw RedisKeys.unknown();
          case "0" -> false;
          default -> {
            stops.heard(runId, reason); // at once on this instance; others hear it by pub/sub
            yield true;
          }
        });
  }

  @Override
  public Registration onStop(String runId, Consumer<String> listener) {
    Objects.requireNonNull(listener, "listener");
    StopSignals.Registered reg = stops.register(runId, listener);
    guard(() -> redis.hget(keys.run(runId), "stop")).thenAccept(r -> {
      if (r != null) {
        reg.fire(r); // asked before we registered, on another instance
      }
    });
    return reg;
  }

  @Override
  public CompletionStage<Boolean> claim(String runId, String producerId, Duration lease) {
    return untimed(guard(() -> writes.claim(runId, producerId, lease)), "claim the run");
  }

  @Override
  public CompletionStage<Long> addReaders(String runId, int delta) {
    return timed(script(Scripts.READERS, new String[] {keys.run(runId)}, Integer.toString(delta)), "count readers")
        .thenApply(code -> {
          if (code.equals("U")) {
            throw RedisKeys.unknown();
          }
          return Long.parseLong(code);
        });
  }

  /**
   * Takes over, on {@code runs}' instance, the runs whose producer lease lapsed (the producing instance
   * died or lost Redis): every {@code every}, the running runs with a lapsed lease are offered to
   * {@link AnswerRuns#takeOver(String)}, whose atomic claim lets exactly one instance win each.
   *
   * @param runs the instance's runs (built on this store)
   * @param every how often to look (a fraction of the lease, such as 500 ms for a 3 s lease)
   * @return a registration that stops watching
   */
  public Registration watchLeases(AnswerRuns runs, Duration every) {
    Objects.requireNonNull(runs, "runs");
    AtomicBoolean stopped = new AtomicBoolean();
    Runnable[] tick = new Runnable[1];
    tick[0] = () -> {
      if (stopped.get() || closed.get()) {
        return;
      }
      guard(() -> redis.zrangebyscore(keys.running(), Range.create(0, wallClock.getAsLong()), Limit.from(16)))
          .whenComplete((ids, err) -> {
            if (ids != null) {
              for (String id : ids) {
                if (!writes.produces(id)) { // never a second producer for a run this instance produces
                  runs.takeOver(id);
                }
              }
            }
            scheduler.schedule(every, tick[0]);
          });
    };
    scheduler.schedule(every, tick[0]);
    return () -> stopped.set(true);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    lanes.close();
    stops.close();
    writeConnection.close();
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    writeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
    writeResources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  private CompletionStage<String> script(String lua, String[] k, String... args) {
    return guard(() -> redis.<String>eval(lua, ScriptOutputType.VALUE, k, args));
  }

  /** A closed store answers every call with UNAVAILABLE instead of touching closed connections. */
  private <T> CompletionStage<T> guard(Supplier<? extends CompletionStage<T>> call) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new RunStoreException(RunStoreException.Reason.UNAVAILABLE,
          "this Redis run store is closed"));
    }
    try {
      return call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Fails the stage with UNAVAILABLE after the operation timeout (reader-facing calls must not hang). */
  private <T> CompletionStage<T> timed(CompletionStage<T> s, String what) {
    CompletableFuture<T> out = new CompletableFuture<>();
    Future<?> timer = scheduler.schedule(operationTimeout, () -> out.completeExceptionally(
        new RunStoreException(RunStoreException.Reason.UNAVAILABLE,
            "Redis did not answer within " + operationTimeout + " (" + what + "); check that it is reachable")));
    s.whenComplete((v, err) -> {
      timer.cancel(false);
      if (err != null) {
        out.completeExceptionally(RedisKeys.unavailable(what, err));
      } else {
        out.complete(v);
      }
    });
    return out;
  }

  /** Waits as long as Redis takes (producer writes: an outage must not end the model call). */
  private static <T> CompletionStage<T> untimed(CompletionStage<T> s, String what) {
    CompletableFuture<T> out = new CompletableFuture<>();
    s.whenComplete((v, err) -> {
      if (err != null) {
        out.completeExceptionally(RedisKeys.unavailable(what, err));
      } else {
        out.complete(v);
      }
    });
    return out;
  }

  /** Builds a {@link RedisRunStore}. Not thread-safe. */
  public static final class Builder {
    private final RedisURI uri;
    private String keyPrefix = "llmstream:";
    private StreamScheduler scheduler = StreamScheduler.system();
    private LongSupplier wallClock = System::currentTimeMillis;
    private int lanes = 2;
    private long maxLogLength = 20_000;
    private Duration operationTimeout = Duration.ofSeconds(5);
    private Duration outageLimit = Duration.ofSeconds(10);
    private Duration block = Duration.ofSeconds(1);
    private Duration claimGrace = Duration.ofSeconds(10);
    private int requestQueueSize = 100_000;
    private Duration writeRetryLimit = Duration.ofMinutes(1);

    private Builder(RedisURI uri) {
      this.uri = uri;
    }

    /**
     * The prefix of every key and channel. Default {@code llmstream:}.
     *
     * @param prefix the prefix
     * @return this builder
     */
    public Builder keyPrefix(String prefix) {
      this.keyPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * Timers (retries, timeouts, local expiry). Default {@link StreamScheduler#system()}.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(StreamScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The wall clock (epoch millis) for lease deadlines and expiry, shared by all instances in effect.
     * Default {@link System#currentTimeMillis()}; tests pass a virtual one.
     *
     * @param millis the clock
     * @return this builder
     */
    public Builder wallClock(LongSupplier millis) {
      this.wallClock = Objects.requireNonNull(millis, "millis");
      return this;
    }

    /**
     * How many connections multiplex the readers' blocking reads. Default 2.
     *
     * @param n 1 to 64
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder lanes(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("lanes must be 1-64, was " + n);
      }
      this.lanes = n;
      return this;
    }

    /**
     * The approximate cap of a run's stream ({@code XADD MAXLEN ~}); keep it at or above
     * {@code AnswerRuns.Builder.maxEventsPerRun} so nothing a reader may resume from is trimmed. Default
     * 20,000.
     *
     * @param max at least 2
     * @return this builder
     * @throws IllegalArgumentException if less than 2
     */
    public Builder maxLogLength(long max) {
      if (max < 2) {
        throw new IllegalArgumentException("maxLogLength must be >= 2, was " + max);
      }
      this.maxLogLength = max;
      return this;
    }

    /**
     * How long a reader-facing call (find, read, stop, reader count) waits for Redis. Default 5 s.
     *
     * @param timeout greater than zero
     * @return this builder
     */
    public Builder operationTimeout(Duration timeout) {
      this.operationTimeout = positive(timeout, "operationTimeout");
      return this;
    }

    /**
     * How long a waiting tail survives a Redis outage before it fails. Default 10 s.
     *
     * @param limit greater than zero
     * @return this builder
     */
    public Builder outageLimit(Duration limit) {
      this.outageLimit = positive(limit, "outageLimit");
      return this;
    }

    /**
     * How long a producer write (append, finish, lease renewal) is retried while Redis cannot be reached,
     * before it fails and the relay ends the answer. Default 1 minute.
     *
     * @param limit greater than zero
     * @return this builder
     */
    public Builder writeRetryLimit(Duration limit) {
      this.writeRetryLimit = positive(limit, "writeRetryLimit");
      return this;
    }

    /**
     * How long before a new run's producer must have claimed it, else it counts as lapsed. Default 10 s.
     *
     * @param grace greater than zero
     * @return this builder
     */
    public Builder claimGrace(Duration grace) {
      this.claimGrace = positive(grace, "claimGrace");
      return this;
    }

    /**
     * The most commands Lettuce queues per connection while Redis is unreachable. Default 100,000.
     *
     * @param max at least 1,000
     * @return this builder
     * @throws IllegalArgumentException if less than 1,000
     */
    public Builder requestQueueSize(int max) {
      if (max < 1000) {
        throw new IllegalArgumentException("requestQueueSize must be >= 1000, was " + max);
      }
      this.requestQueueSize = max;
      return this;
    }

    /**
     * Connects and builds the store.
     *
     * @return the store
     * @throws RunStoreException of reason UNAVAILABLE if Redis cannot be reached
     */
    public RedisRunStore build() {
      return new RedisRunStore(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be greater than zero, was " + d);
      }
      return d;
    }
  }
}
