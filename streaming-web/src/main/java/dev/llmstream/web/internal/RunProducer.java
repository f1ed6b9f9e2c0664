package dev.llmstream.web.internal;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.UiSink;
import dev.llmstream.core.UiConnection;
import dev.llmstream.web.RunOptions;
import dev.llmstream.web.RunResult;
import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunRecord;
import dev.llmstream.web.spi.RunStatus;
import dev.llmstream.web.spi.RunStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces one run: the answer flows through the core's buffer ({@link UiConnection#connect}) into this sink, which
 * numbers each batch as a {@link RunEvent} and appends it to the store. Listens for the store's stop
 * signal, arms the deadline, holds the producer lease, and enforces the log limits.
 *
 * <p>The sink methods are called serially (the core's guarantee) on the thread delivering the answer;
 * they only append to the store, which does not block. {@code nextId}, {@code events} and {@code chars}
 * are confined to that serial sequence.
 */
final class RunProducer implements UiSink {
  private static final Logger LOG = LoggerFactory.getLogger(RunProducer.class);

  private final AnswerRunsImpl runs;
  private final RunsConfig cfg;
  private final RunRecord record;
  private final RunOptions options;
  private final String producerId;
  private final CancellationToken token = CancellationToken.create();
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile @Nullable String stopReason;
  private volatile boolean limitHit;
  private volatile boolean leaseLost; // another instance produces this run now: end without a trace
  private long nextId = 1;
  private int events;
  private long chars;
  private volatile @Nullable Integer maxTokens; // of the request being answered, for progress events
  private RunStore.@Nullable Registration stopRegistration;
  private @Nullable Runnable deadline;
  private volatile @Nullable Future<?> leaseTimer;

  RunProducer(AnswerRunsImpl runs, RunsConfig cfg, RunRecord record, RunOptions options, String producerId) {
    this.runs = runs;
    this.cfg = cfg;
    this.record = record;
    this.options = options;
    this.producerId = producerId;
  }

  String runId() {
    return record.runId();
  }

  void start(ChatRequest request) {
    maxTokens = request.maxTokens();
    stopRegistration = cfg.store().onStop(record.runId(), this::stop);
    Duration d = options.deadline();
    if (d != null) {
      deadline = token.cancelAfter(d, cfg.scheduler());
    }
    renewLease();
    UiConnection.connect(cfg.provider().stream(request, token), this, Runnable::run, options.ui());
  }

  /**
   * Continues a run whose producer is gone: numbering goes on after the stored log, readers get a
   * {@code recovering} event, and the model is asked again with the stored text as a trailing assistant
   * message (the core's CONTINUE recovery, one level up), so they see one continuous answer.
   */
  void continueRun(ChatRequest original, LogFold log) {
    nextId = log.lastId + 1;
    events = log.events;
    chars = log.chars;
    emit(RunEvent.RECOVERING, EventJson.recovering(1, "the server answering stopped; another server continues"));
    ChatRequest request =
        log.text.length() == 0
            ? original
            : original.withMessage(ChatMessage.assistant(log.text.toString()));
    start(request);
  }

  /** Stops the answer (from the store's stop signal, or at shutdown). */
  void stop(String reason) {
    if (stopReason == null) {
      stopReason = reason;
    }
    token.cancel();
  }

  private void renewLease() {
    if (finished.get()) {
      return;
    }
    cfg.store()
        .claim(record.runId(), producerId, cfg.lease())
        .whenComplete(
            (held, err) -> {
              if (err == null && Boolean.FALSE.equals(held) && !finished.get()) {
                LOG.warn("Run {} lost its producer lease; stopping this producer", record.runId());
                leaseLost = true;
                stop("shutdown");
              }
            });
    leaseTimer = cfg.scheduler().schedule(cfg.lease().dividedBy(3), this::renewLease);
  }

  private void emit(String type, String data) {
    if (finished.get() || limitHit || leaseLost) {
      return;
    }
    if (events + 2 > cfg.maxEventsPerRun() || chars + data.length() > cfg.maxCharsPerRun()) {
      limitHit = true; // keep room for the done event, then end the answer
      token.cancel();
      return;
    }
    append(type, data);
  }

  private void append(String type, String data) {
    RunEvent e = new RunEvent(nextId++, type, data);
    events++;
    chars += data.length();
    cfg.store()
        .append(record.runId(), producerId, List.of(e))
        .whenComplete(
            (v, err) -> {
              if (err != null) {
                LOG.warn("Run {}: the store refused an event ({}); stopping", record.runId(), err.toString());
                stop("shutdown");
              }
            });
  }

  private void end(RunStatus state, ChatResponse response, @Nullable StreamException error) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    if (leaseLost) { // the new producer ends the run; appending here would fork its log
      release();
      runs.producerEnded(this);
      return;
    }
    String stoppedBy = null;
    if (limitHit && state != RunStatus.COMPLETED) {
      state = RunStatus.FAILED;
      error =
          new StreamException(
              ErrorKind.LIMIT_EXCEEDED,
              "The answer passed this server's limit of " + cfg.maxEventsPerRun() + " events or "
                  + cfg.maxCharsPerRun() + " characters per answer and was stopped; the partial answer "
                  + "is kept. Ask for a shorter answer, or raise the limit (AnswerRuns.Builder)",
              StreamException.NO_STATUS,
              null,
              null);
    } else if (state == RunStatus.CANCELLED) {
      String r = stopReason;
      stoppedBy = r == null ? "user" : r;
    }
    RunStatus finalState = state;
    release();
    runs.producerEnded(this); // before the listener: whoever it tells sees this instance idle
    RunResult result =
        new RunResult(record.runId(), record.owner(), record.slot(), finalState, response, error, stoppedBy);
    try {
      options.listener().onFinished(result); // before the done event: a reader that sees it sees history
    } catch (RuntimeException e) {
      LOG.warn("Exception thrown by a run listener", e);
    }
    RunEvent done = new RunEvent(nextId++, RunEvent.DONE, EventJson.done(state, response, error, stoppedBy));
    cfg.store()
        .finish(record.runId(), producerId, done, finalState, cfg.finishedTtl())
        .whenComplete(
            (v, err) -> {
              if (err != null) {
                LOG.warn("Run {}: could not record its end: {}", record.runId(), err.toString());
              }
            });
  }

  private void release() {
    RunStore.Registration s = stopRegistration;
    if (s != null) {
      s.close();
    }
    Runnable d = deadline;
    if (d != null) {
      d.run();
    }
    Future<?> l = leaseTimer;
    if (l != null) {
      l.cancel(false);
    }
  }

  @Override
  public void onTyping(boolean typing) {
    emit(RunEvent.TYPING, EventJson.typing(typing));
  }

  @Override
  public void onText(CharSequence batch, CharSequence fullText) {
    emit(RunEvent.TEXT, EventJson.text(batch));
  }

  @Override
  public void onReasoning(CharSequence batch, CharSequence fullReasoning) {
    emit(RunEvent.REASONING, EventJson.text(batch));
  }

  @Override
  public void onProgress(StreamMetrics metrics) {
    emit(RunEvent.PROGRESS, EventJson.progress(metrics, maxTokens));
  }

  @Override
  public void onRecovering(int attempt, String cause) {
    emit(RunEvent.RECOVERING, EventJson.recovering(attempt, cause));
  }

  @Override
  public void onReplaced(CharSequence text, CharSequence reasoning) {
    emit(RunEvent.REPLACED, EventJson.replaced(text, reasoning));
  }

  @Override
  public void onCompleted(ChatResponse response) {
    end(RunStatus.COMPLETED, response, null);
  }

  @Override
  public void onCancelled(ChatResponse partial) {
    end(RunStatus.CANCELLED, partial, null);
  }

  @Override
  public void onFailed(StreamException error, ChatResponse partial) {
    end(RunStatus.FAILED, partial, error);
  }
}
