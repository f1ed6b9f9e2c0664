package dev.llmstream.redis.internal;

import dev.llmstream.core.StreamScheduler;
import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunStore;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.UnblockType;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Live tails multiplexed over a fixed number of connections ("lanes"): each lane keeps at most one
 * {@code XREAD BLOCK} in flight for <em>all</em> the tails waiting on it (one stream offset per run, the
 * lowest position of its waiting tails), so the number of connections and threads does not grow with the
 * readers. A tail that starts waiting while its lane is blocked wakes the read with {@code CLIENT UNBLOCK}
 * (sent on the command connection) so the next read includes it at once.
 *
 * <p>Hand-written because no Redis client multiplexes blocking stream reads; Lettuce gives the async
 * commands and reconnection. When a lane's read fails (Redis down or restarting), the lane retries on the
 * scheduler; tails that waited through an outage longer than {@code outageLimit} get
 * {@link RunStore.TailListener#onError} (the relay then closes the connection and the browser resumes with
 * {@code Last-Event-ID}). Thread-safe; no lock is held while calling a listener or Redis.
 */
public final class TailLanes implements AutoCloseable {
  private static final Duration WATCHDOG_MARGIN = Duration.ofSeconds(2);

  private final List<Lane> lanes = new ArrayList<>();
  private final RedisAsyncCommands<String, String> commands;
  private final RedisKeys keys;
  private final StreamScheduler scheduler;
  private final Duration block;
  private final Duration outageLimit;
  private final AtomicInteger next = new AtomicInteger();
  private volatile boolean closed;

  /**
   * Creates lanes over the given connections (owned: closed with the lanes).
   *
   * @param connections one per lane, used only for {@code XREAD BLOCK}
   * @param commands the command connection (for {@code CLIENT UNBLOCK})
   * @param keys key names
   * @param scheduler retries and outage clock
   * @param block the longest single blocking read
   * @param outageLimit how long a waiting tail survives a Redis outage
   */
  public TailLanes(
      List<StatefulRedisConnection<String, String>> connections,
      RedisAsyncCommands<String, String> commands,
      RedisKeys keys,
      StreamScheduler scheduler,
      Duration block,
      Duration outageLimit) {
    this.commands = commands;
    this.keys = keys;
    this.scheduler = scheduler;
    this.block = block;
    this.outageLimit = outageLimit;
    for (StatefulRedisConnection<String, String> c : connections) {
      lanes.add(new Lane(c));
    }
  }

  /** A tail waiting for events after {@code last} on its run. */
  public interface Waiter {
    /** @return the run id */
    String runId();

    /** @return the last event id the tail has */
    long last();

    /** @return the largest batch */
    int maxEvents();

    /**
     * Events arrived (called outside any lock; the waiter is no longer registered).
     *
     * @param events 1 or more events after {@link #last()}
     */
    void deliver(List<RunEvent> events);

    /**
     * The wait failed for good.
     *
     * @param error why
     */
    void fail(Throwable error);
  }

  /**
   * Waits for events after the waiter's position.
   *
   * @param w the waiter
   * @return a handle to cancel the wait
   */
  public Runnable await(Waiter w) {
    Lane lane = lanes.get(Math.floorMod(next.getAndIncrement(), lanes.size()));
    lane.add(w);
    return () -> lane.remove(w);
  }

  /**
   * Fails every waiter of a run (the run was dropped).
   *
   * @param runId the run
   * @param error the error
   */
  public void failRun(String runId, Throwable error) {
    for (Lane l : lanes) {
      for (Waiter w : l.removeRun(runId)) {
        w.fail(error);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Lane l : lanes) {
      l.conn.close();
    }
  }

  private final class Lane {
    final StatefulRedisConnection<String, String> conn;
    private final Set<Waiter> waiting = new LinkedHashSet<>(); // guarded by this
    private boolean inFlight; // guarded by this
    private long outageSince = -1; // guarded by this; scheduler nanos, -1 when Redis answers
    private volatile long clientId = -1;

    Lane(StatefulRedisConnection<String, String> conn) {
      this.conn = conn;
    }

    void add(Waiter w) {
      boolean start;
      synchronized (this) {
        waiting.add(w);
        start = !inFlight;
        inFlight = true;
      }
      if (start) {
        read();
      } else {
        long id = clientId;
        if (id >= 0) {
          commands.clientUnblock(id, UnblockType.TIMEOUT); // the blocked read returns; the next includes w
        }
      }
    }

    synchronized void remove(Waiter w) {
      waiting.remove(w);
    }

    synchronized List<Waiter> removeRun(String runId) {
      List<Waiter> out = new ArrayList<>();
      waiting.removeIf(w -> {
        if (w.runId().equals(runId)) {
          out.add(w);
          return true;
        }
        return false;
      });
      return out;
    }

    private void read() {
      Map<String, Long> from = new HashMap<>();
      int count = 1;
      synchronized (this) {
        if (waiting.isEmpty() || closed) {
          inFlight = false;
          return;
        }
        for (Waiter w : waiting) {
          from.merge(w.runId(), w.last(), Math::min);
          count = Math.max(count, w.maxEvents());
        }
      }
      List<XReadArgs.StreamOffset<String>> offsets = new ArrayList<>(from.size());
      from.forEach((run, last) -> offsets.add(XReadArgs.StreamOffset.from(keys.log(run), RedisKeys.entryId(last))));
      RedisAsyncCommands<String, String> async = conn.async();
      if (clientId < 0) {
        async.clientId().thenAccept(id -> clientId = id);
      }
      @SuppressWarnings({"unchecked", "rawtypes"})
      XReadArgs.StreamOffset<String>[] arr = offsets.toArray(new XReadArgs.StreamOffset[0]);
      RedisFuture<List<StreamMessage<String, String>>> f =
          async.xread(XReadArgs.Builder.block(block).count(count), arr);
      watch(f);
      f.whenComplete(this::onRead);
    }

    /**
     * While the lane's connection is down, Lettuce holds the read until it reconnects; this watchdog
     * cancels such a read after the block time plus a margin, so the outage counts toward
     * {@code outageLimit} and readers fail instead of waiting for a Redis that may not come back.
     */
    private void watch(RedisFuture<?> f) {
      scheduler.schedule(block.plus(WATCHDOG_MARGIN), () -> {
        if (f.isDone() || closed) {
          return;
        }
        if (conn.isOpen()) {
          watch(f); // blocked normally, Redis is there
        } else {
          f.cancel(true);
        }
      });
    }

    private void onRead(@Nullable List<StreamMessage<String, String>> msgs, @Nullable Throwable err) {
      if (closed) {
        return;
      }
      if (err != null) {
        clientId = -1; // a reconnect gives the connection a new id
        List<Waiter> expired = new ArrayList<>();
        synchronized (this) {
          long now = scheduler.nanoTime();
          if (outageSince < 0) {
            outageSince = now;
          } else if (now - outageSince >= outageLimit.toNanos()) {
            expired.addAll(waiting);
            waiting.clear();
          }
        }
        Throwable e = RedisKeys.unavailable("follow the answer", err);
        for (Waiter w : expired) {
          w.fail(e);
        }
        scheduler.schedule(Duration.ofMillis(100), this::read);
        return;
      }
      Map<String, List<RunEvent>> byRun = new HashMap<>();
      for (StreamMessage<String, String> m : msgs == null ? List.<StreamMessage<String, String>>of() : msgs) {
        String key = m.getStream();
        String runId = key.substring(key.indexOf('{') + 1, key.lastIndexOf('}'));
        byRun.computeIfAbsent(runId, k -> new ArrayList<>()).add(RedisKeys.event(m));
      }
      List<Map.Entry<Waiter, List<RunEvent>>> ready = new ArrayList<>();
      synchronized (this) {
        outageSince = -1;
        for (var it = waiting.iterator(); it.hasNext(); ) {
          Waiter w = it.next();
          List<RunEvent> got = byRun.get(w.runId());
          if (got == null) {
            continue;
          }
          List<RunEvent> batch = new ArrayList<>();
          for (RunEvent e : got) {
            if (e.id() > w.last() && batch.size() < w.maxEvents()) {
              batch.add(e);
            }
          }
          if (!batch.isEmpty()) {
            it.remove();
            ready.add(Map.entry(w, batch));
          }
        }
      }
      for (Map.Entry<Waiter, List<RunEvent>> r : ready) {
        r.getKey().deliver(r.getValue());
      }
      read();
    }
  }
}
