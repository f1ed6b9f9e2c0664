package dev.llmstream.web.spi;

import dev.llmstream.core.StreamScheduler;
import dev.llmstream.web.internal.InMemoryRunStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Where runs live: metadata, the bounded event log, the live tail for readers, the stop signal and the
 * producer's lease. The relay ({@code AnswerRuns}) is written against this interface only, so a store
 * shared by several server instances (Redis Streams) makes every instance able to read, stop or take over
 * any run.
 *
 * <p><b>Shape.</b> Every operation returns at once: results come as a {@link CompletionStage} (which may
 * already be complete) or through a callback. Failures complete the stage exceptionally with a
 * {@link RunStoreException}. Callbacks run on a thread of the store's choosing (or the calling thread when
 * the result is at hand), must not block, and are never called while the store holds a lock.
 *
 * <p><b>Ids.</b> Event ids are assigned by the producer (strictly increasing per run, from 1); the store
 * keeps them and refuses an id not greater than the last one ({@link RunStoreException.Reason#OUT_OF_ORDER}),
 * which also fences off a producer that lost its lease. Run ids come from the caller.
 *
 * <p><b>Life cycle.</b> {@link #create} (RUNNING) → {@link #append}… → {@link #finish} (appends the
 * {@code done} event) → the run is kept for the TTL given to {@code finish}, then dropped: every operation
 * on it then fails or answers as for an unknown run.
 *
 * <p><b>Order.</b> A producer issues {@code append} and {@code finish} calls for one run one at a time,
 * in order, possibly before the previous stage completed; a store applies them in call order.
 *
 * <p>Implementations are thread-safe.
 */
public interface RunStore extends AutoCloseable {

  /**
   * The in-memory store: one JVM, nothing survives a restart. Expiry timers run on {@code scheduler}.
   *
   * @param scheduler the clock and timer for TTLs and leases
   * @return a new store
   * @throws NullPointerException if {@code scheduler} is null
   */
  static RunStore inMemory(StreamScheduler scheduler) {
    return new InMemoryRunStore(scheduler);
  }

  /**
   * Creates a run in state {@link RunStatus#RUNNING}, atomically checking the owner's limits.
   *
   * @param run the new run (its status must be RUNNING)
   * @param maxRunningPerOwner how many running runs the owner may have, this one included
   * @return completes when stored; fails with {@link RunStoreException.Reason#SLOT_BUSY} when the owner
   *     has a running run in {@code run.slot()}, {@link RunStoreException.Reason#OWNER_LIMIT} when the
   *     owner has {@code maxRunningPerOwner} running runs, {@link RunStoreException.Reason#DUPLICATE_ID}
   */
  CompletionStage<Void> create(RunRecord run, int maxRunningPerOwner);

  /**
   * Looks a run up. The caller checks the owner.
   *
   * @param runId the run id
   * @return the run, or empty if unknown or expired
   */
  CompletionStage<Optional<RunRecord>> find(String runId);

  /**
   * Appends events in order, for the producer holding the run's lease.
   *
   * @param runId the run id
   * @param producerId the producer appending; refused unless it holds the lease (or nobody ever claimed
   *     it), so a producer that lost its lease cannot write into a run another one continues
   * @param events events with ids greater than every stored one, increasing
   * @return completes when stored (readers may see them before); fails with
   *     {@link RunStoreException.Reason#UNKNOWN_RUN}, {@link RunStoreException.Reason#OUT_OF_ORDER} or
   *     {@link RunStoreException.Reason#LEASE_LOST}
   */
  CompletionStage<Void> append(String runId, String producerId, List<RunEvent> events);

  /**
   * Reads stored events after an id.
   *
   * @param runId the run id
   * @param afterId return events with ids greater than this (0 = from the start)
   * @param maxEvents at most this many (at least 1)
   * @return the events in id order, possibly empty; fails with {@link RunStoreException.Reason#UNKNOWN_RUN}
   */
  CompletionStage<List<RunEvent>> read(String runId, long afterId, int maxEvents);

  /**
   * Follows the log from {@code afterId}, one batch per {@link Tail#request()}: after each request the
   * listener gets exactly one call, {@link TailListener#onEvents} with 1 to {@code maxEvents} events that
   * follow the previous batch, as soon as any exist, or {@link TailListener#onError}, after which there is
   * no further call. Nothing is read ahead of a request, so a slow reader costs the store nothing but its
   * position. The listener is never called concurrently with itself.
   *
   * @param runId the run id
   * @param afterId the last id the reader has (0 = from the start)
   * @param maxEvents the largest batch
   * @param listener receives the batches
   * @return the tail; close it when the reader leaves
   */
  Tail tail(String runId, long afterId, int maxEvents, TailListener listener);

  /**
   * Appends the run's last event and marks the run finished, atomically: a reader that sees the
   * {@code done} event finds the run finished. The run is dropped {@code ttl} later; its stop listeners are
   * released and its lease ends.
   *
   * @param runId the run id
   * @param producerId the producer ending the run (as for {@link #append})
   * @param done the {@code done} event, with an id greater than every stored one
   * @param status a finished status
   * @param ttl how long the finished run stays readable
   * @return completes when recorded; fails like {@link #append}
   */
  CompletionStage<Void> finish(String runId, String producerId, RunEvent done, RunStatus status, Duration ttl);

  /**
   * Asks the run's producer, wherever it runs, to stop: every listener registered with {@link #onStop}
   * for this run gets {@code reason}.
   *
   * @param runId the run id
   * @param reason a short word for the {@code done} event's {@code stoppedBy} ({@code user},
   *     {@code abandoned}, ...)
   * @return {@code true} if the run was running, {@code false} if it had finished; fails with
   *     {@link RunStoreException.Reason#UNKNOWN_RUN}
   */
  CompletionStage<Boolean> requestStop(String runId, String reason);

  /**
   * Registers the producer's stop listener. If a stop was already requested, the listener runs at once.
   *
   * @param runId the run id
   * @param listener gets the reason given to {@link #requestStop}; called at most once
   * @return a registration to remove the listener
   */
  Registration onStop(String runId, Consumer<String> listener);

  /**
   * Takes or renews the producer's lease: succeeds when nobody holds it, it lapsed, or
   * {@code producerId} holds it already. Only the holder may produce for the run: {@link #append} and
   * {@link #finish} refuse anybody else (fencing).
   *
   * @param runId the run id
   * @param producerId who claims (an instance id)
   * @param lease how long the claim lasts unless renewed
   * @return {@code true} if {@code producerId} holds the lease now
   */
  CompletionStage<Boolean> claim(String runId, String producerId, Duration lease);

  /**
   * Changes the number of readers of a run (over all instances) and returns the new total; a delta of 0
   * reads it. The relay cancels a run whose reader count stayed 0 for its grace period.
   *
   * @param runId the run id
   * @param delta +1 when a reader joins, -1 when it leaves, 0 to read
   * @return the total after the change
   */
  CompletionStage<Long> addReaders(String runId, int delta);

  /** Releases the store's resources (connections, timers). Idempotent. */
  @Override
  void close();

  /** The reader side of {@link #tail}. Methods must not block. */
  interface TailListener {
    /**
     * The next batch.
     *
     * @param events 1 or more events, in id order, after the previous batch
     */
    void onEvents(List<RunEvent> events);

    /**
     * The tail cannot go on (run dropped, store failure). Terminal.
     *
     * @param error what happened
     */
    void onError(Throwable error);
  }

  /** A live follow of a run's log. Thread-safe. */
  interface Tail extends AutoCloseable {
    /**
     * Asks for the next batch. Calling it again before the previous batch was delivered does nothing more.
     */
    void request();

    /** Stops following; no callback after this returns (except one already running). Idempotent. */
    @Override
    void close();
  }

  /** A listener registration. Closing it is idempotent and thread-safe. */
  @FunctionalInterface
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
