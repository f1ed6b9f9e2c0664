package dev.llmstream.redis.internal;

import dev.llmstream.web.spi.RunStore;
import dev.llmstream.core.StreamScheduler;
import java.time.Duration;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries stop requests to the producers registered on this instance: one pub/sub subscription per
 * instance to the store's stop channel (messages {@code <runId> <reason>}), plus two paths that do not
 * depend on pub/sub: a stop asked on this very instance is delivered at once, and the producer's lease
 * renewal returns a pending stop reason ({@link #heard}), so a message lost while the pub/sub connection
 * was down still reaches the producer within one renewal period. Each listener is called at most once,
 * outside any lock. Thread-safe.
 */
public final class StopSignals extends RedisPubSubAdapter<String, String> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

  /** How long a heard stop is remembered for producers that register late. */
  static final Duration REMEMBER = Duration.ofMinutes(1);

  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final StreamScheduler scheduler;
  private final Map<String, List<Once>> listeners = new ConcurrentHashMap<>();
  private final Map<String, String> recent = new ConcurrentHashMap<>(); // runs stopped lately; see forget

  /**
   * Subscribes to the channel.
   *
   * @param pubsub the pub/sub connection (owned)
   * @param channel the stop channel
   * @param scheduler forgets heard stops after {@link #REMEMBER}
   */
  public StopSignals(
      StatefulRedisPubSubConnection<String, String> pubsub, String channel, StreamScheduler scheduler) {
    this.pubsub = pubsub;
    this.scheduler = scheduler;
    pubsub.addListener(this);
    pubsub.sync().subscribe(channel);
  }

  private static final class Once {
    final Consumer<String> listener;
    final AtomicBoolean fired = new AtomicBoolean();

    Once(Consumer<String> listener) {
      this.listener = listener;
    }

    void fire(String reason) {
      if (fired.compareAndSet(false, true)) {
        try {
          listener.accept(reason);
        } catch (RuntimeException e) {
          LOG.warn("Exception thrown by a stop listener", e);
        }
      }
    }
  }

  /**
   * Registers a listener for a run.
   *
   * @param runId the run
   * @param listener the listener
   * @return the registration and a way to fire it (it fires at once if a stop was heard lately)
   */
  public Registered register(String runId, Consumer<String> listener) {
    Once o = new Once(listener);
    listeners.computeIfAbsent(runId, k -> new CopyOnWriteArrayList<>()).add(o);
    String known = recent.get(runId);
    if (known != null) {
      o.fire(known);
    }
    return new Registered(runId, o);
  }

  /** A registration: close to remove; {@link #fire} to deliver a reason found later. */
  public final class Registered implements RunStore.Registration {
    private final String runId;
    private final Once once;

    Registered(String runId, Once once) {
      this.runId = runId;
      this.once = once;
    }

    /**
     * Delivers a reason (no-op if already delivered).
     *
     * @param reason the reason
     */
    public void fire(String reason) {
      once.fire(reason);
    }

    @Override
    public void close() {
      listeners.computeIfPresent(runId, (k, l) -> {
        l.remove(once);
        return l.isEmpty() ? null : l;
      });
    }
  }

  /**
   * A stop for {@code runId} was learnt (from this instance's request, a message or a lease renewal).
   *
   * @param runId the run
   * @param reason the reason; empty means none
   */
  public void heard(String runId, String reason) {
    if (reason.isEmpty()) {
      return;
    }
    if (recent.putIfAbsent(runId, reason) == null) {
      scheduler.schedule(REMEMBER, () -> forget(runId));
    }
    List<Once> l = listeners.get(runId);
    if (l != null) {
      for (Once o : l) {
        o.fire(reason);
      }
    }
  }

  /**
   * Forgets a run's stop (it finished, or was heard long enough ago); bounds the memory of stops.
   *
   * @param runId the run
   */
  public void forget(String runId) {
    recent.remove(runId);
  }

  /**
   * Whether a stop for the run was heard lately.
   *
   * @param runId the run
   * @return the reason, or null
   */
  public @Nullable String recent(String runId) {
    return recent.get(runId);
  }

  @Override
  public void message(String channel, String message) {
    int sp = message.indexOf(' ');
    if (sp > 0) {
      heard(message.substring(0, sp), message.substring(sp + 1));
    }
  }

  @Override
  public void close() {
    pubsub.removeListener(this);
    pubsub.close();
  }
}
