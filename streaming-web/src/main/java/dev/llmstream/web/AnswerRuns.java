package dev.llmstream.web;

import dev.llmstream.core.ChatProvider;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.web.internal.AnswerRunsImpl;
import dev.llmstream.web.internal.RunsConfig;
import dev.llmstream.web.spi.RunRecord;
import dev.llmstream.web.spi.RunStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Answers that outlive the HTTP request. {@link #start} begins an answer for an <em>owner</em> (an opaque
 * string the application supplies: a user id, a session) as a <em>run</em> with an unguessable id (128
 * bits from {@link SecureRandom}, URL-safe base64). The answer streams through the core's
 * {@code UiConnection.buffer} (UI-paced batches) into the run's bounded event log in a {@link RunStore},
 * independent of any connection; any number of browser connections read it through {@link #open}
 * (resuming after an event id), and {@link #stop} ends it.
 *
 * <p><b>Owners.</b> Every lookup takes the owner: another owner's run behaves exactly like an unknown id
 * (same answer, same timing class, nothing changed).
 *
 * <p><b>Limits.</b> Running runs per owner (and one per conversation slot), events and bytes per run (a run
 * that would pass them ends {@code FAILED} with {@code LIMIT_EXCEEDED}), an optional deadline per run
 * ({@link RunOptions#deadline()}), finished runs kept for a TTL then dropped, and a run whose last reader
 * left is stopped after a grace period ({@link Builder#readerGrace(Duration)}).
 *
 * <p><b>Threads.</b> No thread per run or per connection: answers run on the provider's threads, timers
 * (heartbeats, grace, TTL, lease) on the injected {@link StreamScheduler}, writes on the adapter's
 * non-blocking sink. Thread-safe.
 *
 * <pre>{@code
 * AnswerRuns runs = AnswerRuns.builder(provider).build();
 * String id = runs.start(userId, request).toCompletableFuture().join();
 * runs.open(userId, id, lastEventId).thenAccept(reader -> ...);   // see the adapters
 * runs.stop(userId, id);
 * }</pre>
 */
public interface AnswerRuns extends AutoCloseable {

  /**
   * A builder for runs answered by {@code provider}.
   *
   * @param provider where answers come from (not closed by the runs)
   * @return a new builder
   * @throws NullPointerException if {@code provider} is null
   */
  static Builder builder(ChatProvider provider) {
    return new Builder(Objects.requireNonNull(provider, "provider"));
  }

  /**
   * Starts an answer with {@link RunOptions#defaults()}.
   *
   * @param owner the owner
   * @param request the request
   * @return the run id; fails with a {@link dev.llmstream.web.spi.RunStoreException} of reason
   *     {@code SLOT_BUSY} or {@code OWNER_LIMIT} when the owner's limits refuse it
   */
  default CompletionStage<String> start(String owner, ChatRequest request) {
    return start(owner, request, RunOptions.defaults());
  }

  /**
   * Starts an answer.
   *
   * @param owner the owner (1-256 characters)
   * @param request the request
   * @param options slot, deadline, buffer options, end listener
   * @return the run id; fails with a {@link dev.llmstream.web.spi.RunStoreException} of reason
   *     {@code SLOT_BUSY} or {@code OWNER_LIMIT} when the owner's limits refuse it
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code owner} is empty or too long
   */
  CompletionStage<String> start(String owner, ChatRequest request, RunOptions options);

  /**
   * Stops a run: its producer (on any instance sharing the store) cancels the answer, which closes the
   * model's HTTP call; the run ends with {@code done} CANCELLED, {@code stoppedBy} {@code user}.
   *
   * @param owner the caller's owner
   * @param runId the run
   * @return what happened ({@link StopResult#NOT_FOUND} for another owner's run)
   */
  CompletionStage<StopResult> stop(String owner, String runId);

  /**
   * Looks up a run of this owner.
   *
   * @param owner the caller's owner
   * @param runId the run
   * @return the run, empty if unknown, expired or another owner's
   */
  CompletionStage<Optional<RunRecord>> find(String owner, String runId);

  /**
   * Opens a run's events for one browser connection, resuming after {@code afterId}.
   *
   * @param owner the caller's owner
   * @param runId the run
   * @param afterId the last event id the client has (0 = from the start), see
   *     {@link SseRequests#resumeAfter(String, String)}
   * @return the reader, empty if the run is unknown, expired or another owner's (answer 404)
   */
  CompletionStage<Optional<RunReader>> open(String owner, String runId, long afterId);

  /**
   * Continues a run whose producer is gone, on this instance: for stores shared by several instances,
   * call it when a running run's producer lease lapsed (a store's watcher does). It claims the lease
   * (atomically: of several instances trying, one wins), reads the stored log, appends a
   * {@code recovering} event and asks the model again with the stored text as a trailing assistant
   * message, appending the continuation to the same run, so readers see one continuous answer. The
   * original {@link RunOptions#listener()} and deadline stay with the instance that died.
   *
   * @param runId the run
   * @return {@code true} if this instance now produces the run; {@code false} if the run is unknown,
   *     finished, held by a live producer, or was started with a request that cannot be stored (tools,
   *     provider extras)
   */
  CompletionStage<Boolean> takeOver(String runId);

  /**
   * Open browser connections on this instance (for the {@code llmstream.relay.readers} gauge).
   *
   * @return the count
   */
  int readers();

  /**
   * Events saved by coalescing for readers that fell behind, since start (for
   * {@code llmstream.relay.coalesced}).
   *
   * @return the count
   */
  long coalescedEvents();

  /**
   * Runs being produced on this instance.
   *
   * @return the count
   */
  int producing();

  /**
   * Stops every run this instance produces ({@code stoppedBy} {@code shutdown}), closes open
   * connections, and closes the store if the builder created it. Idempotent.
   */
  @Override
  void close();

  /** Builds {@link AnswerRuns}. Not thread-safe. */
  final class Builder {
    private final ChatProvider provider;
    private @Nullable RunStore store;
    private StreamScheduler scheduler = StreamScheduler.system();
    private Clock clock = Clock.systemUTC();
    private @Nullable SecureRandom random;
    private int maxRunningPerOwner = 3;
    private int maxEventsPerRun = 20_000;
    private long maxBytesPerRun = 4L << 20;
    private Duration finishedTtl = Duration.ofMinutes(10);
    private Duration heartbeat = Duration.ofSeconds(15);
    private @Nullable Duration readerGrace = Duration.ofSeconds(30);
    private int maxBatchEvents = 512;
    private Duration lease = Duration.ofSeconds(10);

    private Builder(ChatProvider provider) {
      this.provider = provider;
    }

    /**
     * Where runs are kept. Default: {@link RunStore#inMemory(StreamScheduler)} on this builder's
     * scheduler, closed with the runs; a store given here is not closed by them.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(RunStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The clock and timer for heartbeats, grace periods, deadlines, TTLs and leases. Default
     * {@link StreamScheduler#system()}.
     *
     * @param scheduler the scheduler (a virtual one in tests)
     * @return this builder
     */
    public Builder scheduler(StreamScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The wall clock for the runs' creation time and the send time {@code "st"} the relay stamps on
     * {@code text} events (display and the browser's display lag only; timing uses the scheduler).
     * Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The source of run ids. Default: a new {@link SecureRandom}.
     *
     * @param random the generator
     * @return this builder
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * How many answers one owner may have running at once (one per slot in any case). Default 3.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxRunningPerOwner(int max) {
      this.maxRunningPerOwner = positive(max, "maxRunningPerOwner");
      return this;
    }

    /**
     * The largest event log of a run (the {@code done} event included); a run that would pass it ends
     * {@code FAILED} with {@code LIMIT_EXCEEDED}. Default 20,000.
     *
     * @param max at least 2
     * @return this builder
     * @throws IllegalArgumentException if less than 2
     */
    public Builder maxEventsPerRun(int max) {
      if (max < 2) {
        throw new IllegalArgumentException("maxEventsPerRun must be >= 2, was " + max);
      }
      this.maxEventsPerRun = max;
      return this;
    }

    /**
     * The largest total size of a run's event data, in UTF-16 characters; past it the run ends
     * {@code FAILED} with {@code LIMIT_EXCEEDED}. Default 4 Mi.
     *
     * @param max at least 1024
     * @return this builder
     * @throws IllegalArgumentException if less than 1024
     */
    public Builder maxCharsPerRun(long max) {
      if (max < 1024) {
        throw new IllegalArgumentException("maxCharsPerRun must be >= 1024, was " + max);
      }
      this.maxBytesPerRun = max;
      return this;
    }

    /**
     * How long a finished run stays readable (for reloads and late readers). Default 10 minutes.
     *
     * @param ttl greater than zero
     * @return this builder
     */
    public Builder finishedTtl(Duration ttl) {
      this.finishedTtl = positive(ttl, "finishedTtl");
      return this;
    }

    /**
     * How often an idle connection gets a heartbeat comment. Default 15 s.
     *
     * @param interval greater than zero
     * @return this builder
     */
    public Builder heartbeat(Duration interval) {
      this.heartbeat = positive(interval, "heartbeat");
      return this;
    }

    /**
     * How long a run may go without any reader before it is stopped ({@code stoppedBy}
     * {@code abandoned}); counted from each time the last reader leaves and, when not zero, from the
     * start (a run nobody comes to read). Default 30 s; {@link Duration#ZERO} stops it as soon as its last
     * reader leaves. A reader that joins within the grace keeps the run going.
     *
     * @param grace zero or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder readerGrace(Duration grace) {
      Objects.requireNonNull(grace, "grace");
      if (grace.isNegative()) {
        throw new IllegalArgumentException("readerGrace must be >= 0, was " + grace);
      }
      this.readerGrace = grace;
      return this;
    }

    /**
     * Never stop a run for want of readers (it ends by completion, stop, failure or deadline).
     *
     * @return this builder
     */
    public Builder keepRunsWithoutReaders() {
      this.readerGrace = null;
      return this;
    }

    /**
     * The most events one write to a connection carries (a connection that fell behind gets them
     * coalesced). Bounds the memory held for one slow connection. Default 512.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxBatchEvents(int max) {
      this.maxBatchEvents = positive(max, "maxBatchEvents");
      return this;
    }

    /**
     * The producer's lease in the store, renewed at a third of it. Default 10 s.
     *
     * @param lease greater than zero
     * @return this builder
     */
    public Builder lease(Duration lease) {
      this.lease = positive(lease, "lease");
      return this;
    }

    /**
     * Builds the runs.
     *
     * @return running runs (no threads are started)
     */
    public AnswerRuns build() {
      boolean owned = store == null;
      RunStore s = owned ? RunStore.inMemory(scheduler) : store;
      return new AnswerRunsImpl(
          new RunsConfig(
              provider,
              s,
              owned,
              scheduler,
              clock,
              random == null ? new SecureRandom() : random,
              maxRunningPerOwner,
              maxEventsPerRun,
              maxBytesPerRun,
              finishedTtl,
              heartbeat,
              readerGrace,
              maxBatchEvents,
              lease));
    }

    private static int positive(int v, String name) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be >= 1, was " + v);
      }
      return v;
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
