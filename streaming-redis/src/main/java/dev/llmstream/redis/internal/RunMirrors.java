package dev.llmstream.redis.internal;

import dev.llmstream.web.spi.RunEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The producing instance's copy of each run it produces: the metadata and every event Redis acknowledged,
 * plus the chain that sends the run's writes one at a time. If Redis loses a running run (a restart without
 * persistence, a fail-over to a replica that had not caught up), the next write finds it unknown, puts it
 * back from this copy ({@link Scripts#RESTORE}) and goes on, so neither the readers nor the model call lose
 * anything. Memory: one copy per run produced here, bounded by the run's log limit (the same the in-memory
 * store keeps); dropped when the run finishes or another instance takes it over. Thread-safe.
 */
public final class RunMirrors {
  private final Map<String, Mirror> mirrors = new ConcurrentHashMap<>();

  /** One run's copy and write chain. Guarded by itself. */
  public static final class Mirror {
    /** The hash fields to restore (owner, slot, created, attributes). */
    final Map<String, String> fields;
    /** The slot (for the owner index). */
    final String owner;
    final String slot;
    private final List<RunEvent> events = new ArrayList<>();
    private CompletableFuture<?> chain = CompletableFuture.completedFuture(null);

    Mirror(String owner, String slot, Map<String, String> fields) {
      this.owner = owner;
      this.slot = slot;
      this.fields = Map.copyOf(fields);
    }

    /**
     * @return the owner
     */
    public String owner() {
      return owner;
    }

    /**
     * @return the slot
     */
    public String slot() {
      return slot;
    }

    /**
     * @return the fields to restore
     */
    public Map<String, String> fields() {
      return fields;
    }

    /**
     * Records events Redis acknowledged.
     *
     * @param acked the events
     */
    public synchronized void acked(List<RunEvent> acked) {
      events.addAll(acked);
    }

    /**
     * @return a copy of the acknowledged events
     */
    public synchronized List<RunEvent> events() {
      return List.copyOf(events);
    }

    /**
     * Runs {@code write} after every earlier write of this run completed (successfully or not).
     *
     * @param write the write
     * @param <T> its result
     * @return its result
     */
    public synchronized <T> CompletableFuture<T> then(Supplier<CompletableFuture<T>> write) {
      CompletableFuture<T> next = chain.handle((v, e) -> null).thenCompose(v -> write.get());
      chain = next;
      return next;
    }
  }

  /**
   * Starts a copy for a run created here.
   *
   * @param runId the run
   * @param owner the owner
   * @param slot the slot
   * @param fields the hash fields
   */
  public void created(String runId, String owner, String slot, Map<String, String> fields) {
    mirrors.put(runId, new Mirror(owner, slot, fields));
  }

  /**
   * Adopts a run taken over here (its stored log loaded).
   *
   * @param runId the run
   * @param mirror the copy
   */
  public void adopt(String runId, Mirror mirror) {
    mirrors.putIfAbsent(runId, mirror);
  }

  /**
   * A new copy (for {@link #adopt}).
   *
   * @param owner the owner
   * @param slot the slot
   * @param fields the hash fields
   * @param events the stored log
   * @return the copy
   */
  public static Mirror of(String owner, String slot, Map<String, String> fields, List<RunEvent> events) {
    Mirror m = new Mirror(owner, slot, fields);
    m.acked(events);
    return m;
  }

  /**
   * @param runId the run
   * @return its copy, or null if this instance does not produce it
   */
  public @Nullable Mirror get(String runId) {
    return mirrors.get(runId);
  }

  /**
   * Drops a copy (finished, or produced elsewhere now).
   *
   * @param runId the run
   */
  public void drop(String runId) {
    mirrors.remove(runId);
  }
}
