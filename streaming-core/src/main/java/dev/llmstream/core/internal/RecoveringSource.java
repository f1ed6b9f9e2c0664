package dev.llmstream.core.internal;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import dev.failsafe.RetryPolicy;
import dev.llmstream.core.internal.retry.DeferredRetries;
import dev.llmstream.core.internal.retry.RetryModel;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * See {@link StreamSource#recovering}. State is guarded by {@code lock}; the lock is never held while calling the
 * downstream emitter, an attempt's source or the scheduler's tasks.
 *
 * <p><b>Stall watchdog.</b> With a stall timeout, one timer watches the whole answer, across its attempts,
 * their retries and the backoffs between them: when no content (text, reasoning or tool-call delta) has
 * arrived for that long while the subscriber was waiting, the current attempt is cancelled and the stream
 * fails with a {@link ErrorKind#TIMEOUT} error (the last attempt's failure as its cause). Time while the
 * subscriber has no demand does not count.
 *
 * <p><b>Restarted continuations.</b> Under {@code CONTINUE} a server that ignores the prefill starts the
 * answer over. The first characters of a continuation are therefore held until they either differ from
 * the beginning of the answer shown (a real continuation: passed on) or repeat its first
 * {@value Dedupe#RESTART_PROBE} characters (all of them if it is shorter): then it is a restart and is
 * de-duplicated exactly as under {@code RESTART_DEDUPE}.
 *
 * <p><b>Attempts on Failsafe.</b> The attempts are one Failsafe execution of the retry model's
 * {@link RetryModel#afterFirstToken recovery policy} on the stream's scheduler (the first attempt opens in
 * {@link #start}, each recovery after its jittered backoff, drawn from the injected random generator). The
 * execution starts only when the first attempt fails ({@link DeferredRetries}): an answer that never
 * fails holds no Failsafe state.
 * Failsafe decides whether a failure recovers; this class then announces it ({@code Replaced},
 * {@code Recovering}) and opens the continuation only once both the announcement is out and the backoff is
 * over, so the events keep their order whatever thread runs the timer.
 */
public final class RecoveringSource implements StreamSource {
  private static final int MAX_CAUSE_CHARS = 200;

  private final ChatRequest request;
  private final RecoveryPolicy policy;
  private final StreamScheduler scheduler;
  private final BiFunction<ChatRequest, Integer, StreamSource> attempts;
  private final @Nullable StallWatchdog watchdog;
  private final Object lock = new Object();

  // guarded by lock
  private @Nullable StreamEmitter outer;
  private @Nullable StreamSource current;
  private int attempt = -1;
  private boolean outerPullOutstanding;
  private boolean innerPullOutstanding;
  private boolean cancelled;
  private boolean finished;
  private final RandomGenerator random;
  private @Nullable CompletableFuture<Object> execution;
  /** Set by the policy when it schedules a recovery; read by the failing attempt. */
  private boolean recoveryScheduled;
  /** A failed attempt is announcing its recovery: the continuation waits for it. */
  private boolean announcing;
  /** The attempt Failsafe asked for, opened once Failsafe's call has returned (and any announcement is out). */
  private @Nullable CompletableFuture<Object> dueAttempt;
  private boolean dueIsRecovery;
  private ChatRequest nextRequest;
  private final RecoveryTranscript transcript;
  private int attemptsOpened;
  private @Nullable Throwable lastFailure;

  /**
   * Creates the source; see {@link StreamSource#recovering}.
   *
   * @param request the original request
   * @param policy the policy
   * @param scheduler the clock for backoff
   * @param attempts opens each attempt
   */
  public RecoveringSource(
      ChatRequest request, RecoveryPolicy policy, StreamScheduler scheduler, BiFunction<ChatRequest, Integer, StreamSource> attempts) {
    this(request, policy, scheduler, attempts, null);
  }

  /**
   * Creates the source with a stall watchdog; see {@link StreamSource#recovering}.
   *
   * @param request the original request
   * @param policy the policy
   * @param scheduler the clock for backoff and the watchdog
   * @param attempts opens each attempt
   * @param stallTimeout the longest the answer may go without content, or {@code null} for no watchdog
   */
  public RecoveringSource(
      ChatRequest request,
      RecoveryPolicy policy,
      StreamScheduler scheduler,
      BiFunction<ChatRequest, Integer, StreamSource> attempts,
      @Nullable Duration stallTimeout) {
    this(request, policy, scheduler, attempts, stallTimeout, new Random());
  }

  /**
   * Creates the source with a stall watchdog and the random generator of its backoff jitter (and of the
   * seed a {@code RESTART_DEDUPE} policy picks for a request without one).
   *
   * @param request the original request
   * @param policy the policy
   * @param scheduler the clock for backoff and the watchdog
   * @param attempts opens each attempt
   * @param stallTimeout the longest the answer may go without content, or {@code null} for no watchdog
   * @param random the jitter source (thread-safe)
   */
  public RecoveringSource(
      ChatRequest request,
      RecoveryPolicy policy,
      StreamScheduler scheduler,
      BiFunction<ChatRequest, Integer, StreamSource> attempts,
      @Nullable Duration stallTimeout,
      RandomGenerator random) {
    this.watchdog = stallTimeout == null ? null : new StallWatchdog(scheduler, stallTimeout, this::stalled);
    ChatRequest r = request;
    if (policy.strategy() == RecoveryPolicy.Strategy.RESTART_DEDUPE && r.seed() == null) {
      // A restart can only repeat the same answer when sampled with the same seed.
      r = r.withSeed(random.nextLong(1, Integer.MAX_VALUE));
    }
    this.request = r;
    this.nextRequest = r;
    this.transcript = new RecoveryTranscript(r, policy);
    this.random = random;
    this.policy = policy;
    this.scheduler = scheduler;
    this.attempts = attempts;
  }

  @Override
  public void start(StreamEmitter emitter) {
    synchronized (lock) {
      outer = emitter;
    }
    if (watchdog != null) {
      watchdog.start();
    }
    CompletableFuture<Object> run =
        DeferredRetries.start(attemptDue(false), this::recoveryPolicy, scheduler, () -> attemptDue(true), this::openDue);
    boolean cancelNow;
    synchronized (lock) {
      execution = run;
      cancelNow = cancelled || finished;
    }
    if (cancelNow) {
      run.cancel(false);
    }
    run.whenComplete((v, t) -> over(t));
    openDue(); // the first attempt
  }

  /** Made when the first attempt fails (most answers never need it). */
  private RetryPolicy<Object> recoveryPolicy() {
    return RetryModel.afterFirstToken(policy, random, this::mayRecover, () -> {
      synchronized (lock) {
        recoveryScheduled = true;
      }
    });
  }

  /** What the policy asks besides the failure: the answer had content. */
  private boolean mayRecover(Throwable error) {
    synchronized (lock) {
      return transcript.sawContent() && !cancelled && !finished;
    }
  }

  /** Failsafe asks for an attempt (the first at once, a recovery once its backoff is over): noted only. */
  private CompletableFuture<Object> attemptDue(boolean recovery) {
    CompletableFuture<Object> done = new CompletableFuture<>();
    synchronized (lock) {
      dueAttempt = done;
      dueIsRecovery = recovery;
    }
    return done;
  }

  /** Opens the attempt Failsafe asked for, unless a recovery is still being announced (then fail() opens it). */
  private void openDue() {
    CompletableFuture<Object> done;
    ChatRequest req;
    int n;
    synchronized (lock) {
      done = dueAttempt;
      if (done == null || announcing) {
        return;
      }
      dueAttempt = null;
      if (cancelled || finished) {
        return;
      }
      req = dueIsRecovery ? nextRequest : request;
      n = dueIsRecovery ? transcript.recoveries() : 0;
    }
    open(req, n, done);
  }

  /** The execution ended: the last failure was not recovered (or the answer completed, or was cancelled). */
  private void over(@Nullable Throwable t) {
    Throwable error = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (error == null || error instanceof CancellationException) {
      return;
    }
    failOnce(error, this::stopWatchdog);
  }

  /** Fails downstream unless the stream already ended or was cancelled; {@code stop} runs first, outside the lock. */
  private void failOnce(Throwable error, Runnable stop) {
    StreamEmitter downstream;
    synchronized (lock) {
      if (cancelled || finished) {
        return;
      }
      finished = true;
      downstream = outer;
    }
    stop.run();
    if (downstream != null) {
      downstream.fail(error);
    }
  }

  private void cancelExecution() {
    CompletableFuture<Object> run;
    synchronized (lock) {
      run = execution;
    }
    if (run != null) {
      run.cancel(false); // a recovery waiting for its backoff is not made
    }
  }

  /** The watchdog saw no content for the stall timeout: end the answer, whatever attempt is running. */
  private void stalled(Duration stall) {
    StreamEmitter downstream;
    StreamSource source;
    StreamException error;
    synchronized (lock) {
      if (cancelled || finished) {
        return;
      }
      finished = true;
      downstream = outer;
      source = current;
      current = null;
      Throwable cause = lastFailure;
      error =
          new StreamException(
              ErrorKind.TIMEOUT,
              "No new content for " + stall.toMillis() + " ms (the stall timeout), over " + attemptsOpened
                  + (attemptsOpened == 1 ? " attempt" : " attempts")
                  + " with their retries and backoffs; gave up, the partial answer is kept"
                  + (cause == null ? "" : ". Last failure: " + describe(cause)),
              StreamException.NO_STATUS,
              null,
              cause);
    }
    cancelExecution();
    if (source != null) {
      source.cancel();
    }
    if (downstream != null) {
      downstream.fail(error);
    }
  }

  private void stopWatchdog() {
    if (watchdog != null) {
      watchdog.stop();
    }
  }

  /** The subscriber has a pull outstanding, or not: the stall clock runs only while it has. */
  private void demand(boolean outstanding) {
    if (watchdog != null) {
      watchdog.demand(outstanding);
    }
  }

  private void open(ChatRequest req, int number, CompletableFuture<Object> done) {
    StreamSource source;
    try {
      source = attempts.apply(req, number);
    } catch (RuntimeException e) {
      // A recovery attempt is opened on a timer thread: nobody else would see this failure.
      failOnce(e, this::cancelExecution);
      return;
    }
    AttemptEmitter emitter = new AttemptEmitter(number, done);
    boolean pull;
    synchronized (lock) {
      if (cancelled || finished) {
        return;
      }
      attempt = number;
      current = source;
      attemptsOpened++;
      pull = outerPullOutstanding && !innerPullOutstanding;
      if (pull) {
        innerPullOutstanding = true;
      }
    }
    source.start(emitter);
    if (pull) {
      source.pull();
    }
  }

  @Override
  public void pull() {
    StreamSource source;
    synchronized (lock) {
      outerPullOutstanding = true;
      demand(true);
      source = current;
      if (source == null || innerPullOutstanding) {
        return; // between attempts: the next attempt is pulled when it opens
      }
      innerPullOutstanding = true;
    }
    source.pull();
  }

  @Override
  public void cancel() {
    StreamSource source;
    synchronized (lock) {
      cancelled = true;
      source = current;
      current = null;
    }
    cancelExecution();
    if (source != null) {
      source.cancel();
    }
    stopWatchdog();
  }

  private final class AttemptEmitter implements StreamEmitter {
    private final int number;
    private final CompletableFuture<Object> done;

    AttemptEmitter(int number, CompletableFuture<Object> done) {
      this.number = number;
      this.done = done;
    }

    private @Nullable StreamEmitter live() {
      synchronized (lock) {
        return attempt == number && !finished && !cancelled ? outer : null;
      }
    }

    @Override
    public void next(StreamEvent event) {
      List<StreamEvent> out = new ArrayList<>(2);
      StreamEmitter downstream;
      synchronized (lock) {
        downstream = attempt == number && !finished && !cancelled ? outer : null;
        if (downstream == null) {
          return;
        }
        if (transcript.transform(event, out) && watchdog != null) {
          watchdog.progress();
        }
      }
      for (StreamEvent e : out) {
        downstream.next(e);
      }
    }

    @Override
    public void pullDone() {
      StreamEmitter downstream;
      synchronized (lock) {
        downstream = attempt == number && !finished && !cancelled ? outer : null;
        if (downstream == null) {
          return;
        }
        innerPullOutstanding = false;
        outerPullOutstanding = false;
        demand(false);
      }
      downstream.pullDone();
    }

    @Override
    public void complete() {
      StreamEmitter downstream;
      List<StreamEvent> out = new ArrayList<>(1);
      synchronized (lock) {
        downstream = attempt == number && !finished && !cancelled ? outer : null;
        if (downstream == null) {
          return;
        }
        finished = true;
        transcript.finish(out);
      }
      stopWatchdog();
      done.complete(null); // ends the execution
      for (StreamEvent e : out) {
        downstream.next(e);
      }
      downstream.complete();
    }

    @Override
    public void fail(Throwable error) {
      synchronized (lock) {
        if (attempt != number || finished || cancelled) {
          return;
        }
        lastFailure = error;
        recoveryScheduled = false;
        announcing = true;
      }
      done.completeExceptionally(error); // the policy decides: a recovery is scheduled, or the stream fails
      List<StreamEvent> announce = new ArrayList<>(2);
      StreamEmitter downstream;
      boolean answerPull;
      int n;
      synchronized (lock) {
        if (!recoveryScheduled || finished || cancelled) {
          announcing = false;
          return; // not recovered: the execution's end has failed the stream
        }
        recoveryScheduled = false;
        downstream = outer;
        nextRequest = transcript.recover(announce); // a Replaced goes first: the state stays RECOVERING after it
        n = transcript.recoveries();
        attempt = -1; // this attempt is over; late calls from it are ignored
        current = null;
        innerPullOutstanding = false;
        answerPull = outerPullOutstanding;
        outerPullOutstanding = false;
        if (answerPull) {
          demand(false);
        }
        announce.add(new StreamEvent.Recovering(n, describe(error)));
      }
      if (downstream != null) {
        for (StreamEvent e : announce) {
          downstream.next(e);
        }
        if (answerPull) {
          downstream.pullDone();
        }
      }
      synchronized (lock) {
        announcing = false;
      }
      openDue(); // the backoff may have ended during the announcement
    }

    @Override
    public boolean isCancelled() {
      return live() == null;
    }

    @Override
    public void responseModel(String model) {
      StreamEmitter downstream = live();
      if (downstream != null) {
        downstream.responseModel(model);
      }
    }

    @Override
    public void retrying() {
      StreamEmitter downstream = live();
      if (downstream != null) {
        downstream.retrying();
      }
    }
  }

  private static String describe(Throwable error) {
    String m = error instanceof StreamException se ? se.kind() + ": " + se.getMessage() : error.toString();
    return m.length() > MAX_CAUSE_CHARS ? m.substring(0, MAX_CAUSE_CHARS) + "…" : m;
  }
}
