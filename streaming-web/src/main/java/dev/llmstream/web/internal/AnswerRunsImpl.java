package dev.llmstream.web.internal;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.RunOptions;
import dev.llmstream.web.RunReader;
import dev.llmstream.web.StopResult;
import dev.llmstream.web.spi.RunRecord;
import dev.llmstream.web.spi.RunStatus;
import dev.llmstream.web.spi.RunStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AnswerRuns} over a {@link RunStore}: producers ({@link RunProducer}) for the runs started here,
 * relays ({@link RelayConnection}) for the connections served here, and the grace-period check. Holds no
 * lock while calling the store, a provider or a listener. Thread-safe.
 */
public final class AnswerRunsImpl implements AnswerRuns {
  private static final Logger LOG = LoggerFactory.getLogger(AnswerRunsImpl.class);
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]{22}");
  private static final int MAX_OWNER_CHARS = 256;

  private final RunsConfig cfg;
  private final String producerId;
  private final Set<RunProducer> producers = ConcurrentHashMap.newKeySet();
  private final Set<RelayConnection> connections = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, Long> graceEpochs = new ConcurrentHashMap<>();
  private final AtomicLong epochs = new AtomicLong();
  private final AtomicLong coalesced = new AtomicLong();
  private final AtomicInteger readers = new AtomicInteger();
  private volatile boolean closed;

  /**
   * Creates the runs.
   *
   * @param cfg the built configuration
   */
  public AnswerRunsImpl(RunsConfig cfg) {
    this.cfg = Objects.requireNonNull(cfg, "cfg");
    this.producerId = newId();
  }

  @Override
  public CompletionStage<String> start(String owner, ChatRequest request, RunOptions options) {
    checkOwner(owner);
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(options, "options");
    if (closed) {
      throw new IllegalStateException("these AnswerRuns are closed");
    }
    String runId = newId();
    Map<String, String> attributes = new HashMap<>(options.attributes());
    String stored = RequestCodec.encode(request);
    if (stored != null) {
      attributes.put(RequestCodec.ATTRIBUTE, stored); // lets another instance continue the answer
    }
    RunRecord record =
        new RunRecord(runId, owner, options.slot(), RunStatus.RUNNING, cfg.clock().millis(), attributes);
    return cfg.store()
        .create(record, cfg.maxRunningPerOwner())
        .thenApply(
            v -> {
              RunProducer p = new RunProducer(this, cfg, record, options, producerId);
              producers.add(p);
              Duration grace = cfg.readerGrace();
              if (grace != null && !grace.isZero()) {
                armGrace(runId); // a run nobody ever comes to read is abandoned too
              }
              p.start(request);
              return runId;
            });
  }

  @Override
  public CompletionStage<StopResult> stop(String owner, String runId) {
    return find(owner, runId)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedFuture(StopResult.NOT_FOUND);
              }
              return cfg.store()
                  .requestStop(runId, "user")
                  .thenApply(running -> running ? StopResult.STOPPING : StopResult.ALREADY_FINISHED);
            });
  }

  @Override
  public CompletionStage<Optional<RunRecord>> find(String owner, String runId) {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(runId, "runId");
    if (!RUN_ID.matcher(runId).matches()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return cfg.store().find(runId).thenApply(r -> r.filter(rec -> rec.owner().equals(owner)));
  }

  @Override
  public CompletionStage<Optional<RunReader>> open(String owner, String runId, long afterId) {
    if (afterId < 0) {
      throw new IllegalArgumentException("afterId must be >= 0, was " + afterId);
    }
    return find(owner, runId)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<RunReader>empty());
              }
              boolean finished = found.get().status().isFinished();
              return cfg.store()
                  .read(runId, afterId, 1)
                  .thenApply(
                      next -> {
                        boolean more = !(finished && next.isEmpty());
                        return Optional.<RunReader>of(new RelayConnection(this, cfg, runId, afterId, more));
                      });
            });
  }

  @Override
  public CompletionStage<Boolean> takeOver(String runId) {
    Objects.requireNonNull(runId, "runId");
    if (closed) {
      return CompletableFuture.completedFuture(false);
    }
    return cfg.store()
        .find(runId)
        .thenCompose(
            found -> {
              if (found.isEmpty()
                  || found.get().status().isFinished()
                  || !found.get().attributes().containsKey(RequestCodec.ATTRIBUTE)) {
                return CompletableFuture.completedFuture(false);
              }
              RunRecord record = found.get();
              return cfg.store()
                  .claim(runId, producerId, cfg.lease())
                  .thenCompose(
                      held -> {
                        if (!held) {
                          return CompletableFuture.completedFuture(false);
                        }
                        return fold(runId, new LogFold())
                            .thenApply(log -> continueRun(record, log));
                      });
            });
  }

  private boolean continueRun(RunRecord record, LogFold log) {
    ChatRequest request = RequestCodec.decode(record.attributes().get(RequestCodec.ATTRIBUTE));
    RunProducer p =
        new RunProducer(this, cfg, record, RunOptions.builder().slot(record.slot()).build(), producerId);
    producers.add(p);
    Duration grace = cfg.readerGrace();
    if (grace != null && !grace.isZero()) {
      armGrace(record.runId());
    }
    p.continueRun(request, log);
    return true;
  }

  /** Reads the whole stored log, page by page, into {@code log}. */
  private CompletionStage<LogFold> fold(String runId, LogFold log) {
    return cfg.store()
        .read(runId, log.lastId, 1024)
        .thenCompose(
            page -> {
              if (page.isEmpty()) {
                return CompletableFuture.completedFuture(log);
              }
              log.add(page);
              return fold(runId, log);
            });
  }

  @Override
  public int readers() {
    return readers.get();
  }

  @Override
  public long coalescedEvents() {
    return coalesced.get();
  }

  @Override
  public int producing() {
    return producers.size();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (RunProducer p : new ArrayList<>(producers)) {
      p.stop("shutdown");
    }
    for (RelayConnection c : new ArrayList<>(connections)) {
      c.close();
    }
    if (cfg.ownsStore()) {
      cfg.store().close();
    }
  }

  void producerEnded(RunProducer p) {
    producers.remove(p);
    graceEpochs.remove(p.runId());
  }

  void countCoalesced(int n) {
    if (n > 0) {
      coalesced.addAndGet(n);
    }
  }

  void readerJoined(RelayConnection c, String runId) {
    connections.add(c);
    readers.incrementAndGet();
    graceEpochs.remove(runId); // a pending grace check for this run is void now
    cfg.store().addReaders(runId, 1);
  }

  void readerLeft(RelayConnection c, String runId) {
    if (!connections.remove(c)) {
      return;
    }
    readers.decrementAndGet();
    cfg.store()
        .addReaders(runId, -1)
        .whenComplete(
            (n, err) -> {
              if (err == null && n == 0) {
                armGrace(runId);
              }
            });
  }

  /** Stops the run if it still has no reader after the grace period (a join in between voids the check). */
  private void armGrace(String runId) {
    Duration grace = cfg.readerGrace();
    if (grace == null || closed) {
      return;
    }
    long epoch = epochs.incrementAndGet();
    graceEpochs.put(runId, epoch);
    Runnable check =
        () -> {
          if (!graceEpochs.remove(runId, epoch)) {
            return;
          }
          cfg.store()
              .addReaders(runId, 0)
              .thenCompose(
                  n -> n == 0 ? cfg.store().requestStop(runId, "abandoned") : CompletableFuture.completedFuture(false))
              .whenComplete(
                  (stopped, err) -> {
                    if (Boolean.TRUE.equals(stopped)) {
                      LOG.debug("Run {} had no reader for {}: stopped", runId, grace);
                    }
                  });
        };
    if (grace.isZero()) {
      check.run();
    } else {
      cfg.scheduler().schedule(grace, check);
    }
  }

  private String newId() {
    byte[] b = new byte[16];
    cfg.random().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void checkOwner(String owner) {
    Objects.requireNonNull(owner, "owner");
    if (owner.isEmpty() || owner.length() > MAX_OWNER_CHARS) {
      throw new IllegalArgumentException("owner must be 1-" + MAX_OWNER_CHARS + " characters");
    }
  }
}
