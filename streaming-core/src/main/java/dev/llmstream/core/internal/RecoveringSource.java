package dev.llmstream.core.internal;

import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.Usage;
import dev.llmstream.core.spi.AttemptFactory;
import dev.llmstream.core.spi.Recovery;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * See {@link Recovery#source}. State is guarded by {@code lock}; the lock is never held while calling the
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
 */
public final class RecoveringSource implements StreamSource {
  private static final int MAX_CAUSE_CHARS = 200;

  private final ChatRequest request;
  private final RecoveryPolicy policy;
  private final StreamScheduler scheduler;
  private final AttemptFactory attempts;
  private final @Nullable StallWatchdog watchdog;
  private final Object lock = new Object();

  // guarded by lock
  private @Nullable StreamEmitter outer;
  private @Nullable StreamSource current;
  private int attempt = -1;
  private int recoveries;
  private boolean outerPullOutstanding;
  private boolean innerPullOutstanding;
  private boolean cancelled;
  private boolean finished;
  private StreamScheduler.@Nullable Cancellable backoff;
  private final ShownText shown = new ShownText();
  private boolean sawContent;
  private boolean sawToolCall;
  private @Nullable Usage usageBefore;
  private @Nullable Usage usageThisAttempt;
  private int attemptsOpened;
  private @Nullable Throwable lastFailure;

  /**
   * Creates the source; see {@link Recovery#source}.
   *
   * @param request the original request
   * @param policy the policy
   * @param scheduler the clock for backoff
   * @param attempts opens each attempt
   */
  public RecoveringSource(
      ChatRequest request, RecoveryPolicy policy, StreamScheduler scheduler, AttemptFactory attempts) {
    this(request, policy, scheduler, attempts, null);
  }

  /**
   * Creates the source with a stall watchdog; see {@link Recovery#source}.
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
      AttemptFactory attempts,
      @Nullable Duration stallTimeout) {
    this.watchdog = stallTimeout == null ? null : new StallWatchdog(scheduler, stallTimeout, this::stalled);
    ChatRequest r = request;
    if (policy.strategy() == RecoveryPolicy.Strategy.RESTART_DEDUPE && r.seed() == null) {
      // A restart can only repeat the same answer when sampled with the same seed.
      r = r.toBuilder().seed(ThreadLocalRandom.current().nextLong(1, Integer.MAX_VALUE)).build();
    }
    this.request = r;
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
    open(request, 0);
  }

  /** The watchdog saw no content for the stall timeout: end the answer, whatever attempt is running. */
  private void stalled(Duration stall) {
    StreamEmitter downstream;
    StreamSource source;
    StreamScheduler.Cancellable timer;
    StreamException error;
    synchronized (lock) {
      if (cancelled || finished) {
        return;
      }
      finished = true;
      downstream = outer;
      source = current;
      timer = backoff;
      current = null;
      backoff = null;
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
    if (timer != null) {
      timer.cancel();
    }
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

  private void open(ChatRequest req, int number) {
    StreamSource source;
    try {
      source = attempts.open(req, number);
    } catch (RuntimeException e) {
      // A recovery attempt is opened on a timer thread: nobody else would see this failure.
      StreamEmitter downstream;
      synchronized (lock) {
        if (cancelled || finished) {
          return;
        }
        finished = true;
        downstream = outer;
      }
      if (downstream != null) {
        downstream.fail(e);
      }
      return;
    }
    AttemptEmitter emitter = new AttemptEmitter(number);
    boolean pull;
    synchronized (lock) {
      if (cancelled || finished) {
        return;
      }
      attempt = number;
      current = source;
      backoff = null;
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
    StreamScheduler.Cancellable timer;
    synchronized (lock) {
      cancelled = true;
      source = current;
      timer = backoff;
      current = null;
      backoff = null;
    }
    if (timer != null) {
      timer.cancel();
    }
    if (source != null) {
      source.cancel();
    }
    stopWatchdog();
  }

  private final class AttemptEmitter implements StreamEmitter {
    private final int number;

    AttemptEmitter(int number) {
      this.number = number;
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
        transform(event, out);
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
        shown.finish(out);
      }
      stopWatchdog();
      for (StreamEvent e : out) {
        downstream.next(e);
      }
      downstream.complete();
    }

    @Override
    public void fail(Throwable error) {
      StreamEmitter downstream = live();
      if (downstream == null) {
        return;
      }
      List<StreamEvent> announce = new ArrayList<>(2);
      ChatRequest next;
      Duration delay;
      int n;
      boolean answerPull;
      synchronized (lock) {
        if (attempt != number || finished || cancelled) {
          return;
        }
        lastFailure = error;
        boolean recover =
            policy.strategy() != RecoveryPolicy.Strategy.FAIL
                && sawContent
                && recoveries < policy.maxAttempts()
                && Recovery.isRecoverable(error);
        if (!recover) {
          finished = true;
          next = null;
          delay = Duration.ZERO;
          n = 0;
          answerPull = false;
        } else {
          n = ++recoveries;
          attempt = -1; // this attempt is over; late calls from it are ignored
          current = null;
          innerPullOutstanding = false;
          answerPull = outerPullOutstanding;
          outerPullOutstanding = false;
          if (answerPull) {
            demand(false);
          }
          if (usageThisAttempt != null) {
            usageBefore = usageBefore == null ? usageThisAttempt : usageBefore.plus(usageThisAttempt);
            usageThisAttempt = null;
          }
          next = nextRequest(announce); // a Replaced goes first, so the state stays RECOVERING after it
          announce.add(new StreamEvent.Recovering(n, describe(error)));
          delay = jittered(policy.backoff(n));
        }
      }
      if (next == null) {
        stopWatchdog();
        downstream.fail(error);
        return;
      }
      for (StreamEvent e : announce) {
        downstream.next(e);
      }
      if (answerPull) {
        downstream.pullDone();
      }
      ChatRequest req = next;
      StreamScheduler.Cancellable timer = scheduler.schedule(delay, () -> open(req, n));
      boolean cancelNow;
      synchronized (lock) {
        cancelNow = cancelled;
        if (!cancelNow && attempt == -1 && current == null) {
          backoff = timer;
        }
      }
      if (cancelNow) {
        timer.cancel();
      }
    }

    @Override
    public boolean isCancelled() {
      return live() == null;
    }
  }

  /** Maps an attempt's event to what the subscriber sees. Called under the lock. */
  private void transform(StreamEvent event, List<StreamEvent> out) {
    if (event instanceof StreamEvent.TextDelta
        || event instanceof StreamEvent.ReasoningDelta
        || event instanceof StreamEvent.ToolCallDelta) {
      if (watchdog != null) {
        watchdog.progress();
      }
    }
    if (event instanceof StreamEvent.TextDelta t) {
      sawContent = true;
      shown.offer(t.text(), true, out);
    } else if (event instanceof StreamEvent.ReasoningDelta r) {
      sawContent = true;
      shown.offer(r.text(), false, out);
    } else if (event instanceof StreamEvent.ToolCallDelta) {
      sawContent = true;
      sawToolCall = true;
      out.add(event);
    } else if (event instanceof StreamEvent.UsageUpdate u) {
      usageThisAttempt = u.usage();
      Usage sum = usageBefore == null ? u.usage() : usageBefore.plus(u.usage());
      if (recoveries > 0 && !sum.recovered()) {
        // A cut attempt usually never reports usage (Groq sends it with the finish): still mark it.
        sum = new Usage(
            sum.promptTokens(), sum.completionTokens(), sum.totalTokens(), sum.reasoningTokens(), sum.timings(), true);
      }
      out.add(sum == u.usage() ? u : new StreamEvent.UsageUpdate(sum));
    } else if (event instanceof StreamEvent.Finish) {
      shown.finish(out);
      out.add(event);
    } else {
      out.add(event);
    }
  }

  /** The request for the next attempt (and any event announcing a replacement). Under the lock. */
  private ChatRequest nextRequest(List<StreamEvent> announce) {
    if (sawToolCall && (shown.hasText() || policy.strategy() == RecoveryPolicy.Strategy.RESTART_DEDUPE)) {
      // Tool calls cannot be prefilled and the next attempt sends them again: drop the fragments shown
      // (a Replaced event clears tool calls) and keep the text and reasoning.
      sawToolCall = false;
      announce.add(new StreamEvent.Replaced(shown.text(), shown.reasoning()));
    }
    if (policy.strategy() == RecoveryPolicy.Strategy.RESTART_DEDUPE) {
      shown.expectRestart();
      return request;
    }
    if (shown.hasText()) {
      // Prefill: the partial answer, byte for byte, as a trailing assistant message. A server that ignores
      // it starts over: the continuation is probed for a restart and then de-duplicated.
      String prefill = shown.text();
      shown.expectContinuation();
      return request.toBuilder().addMessage(ChatMessage.assistant(prefill)).build();
    }
    // Only reasoning or tool-call fragments so far: nothing to prefill; start over and tell the UI.
    shown.dropReasoning();
    sawToolCall = false;
    announce.add(new StreamEvent.Replaced("", ""));
    return request;
  }

  private Duration jittered(Duration base) {
    double j = policy.jitter();
    if (j == 0 || base.isZero()) {
      return base;
    }
    double factor = 1 + (ThreadLocalRandom.current().nextDouble() * 2 - 1) * j;
    return Duration.ofNanos((long) (base.toNanos() * factor));
  }

  private static String describe(Throwable error) {
    String m = error instanceof StreamException se ? se.kind() + ": " + se.getMessage() : error.toString();
    return m.length() > MAX_CAUSE_CHARS ? m.substring(0, MAX_CAUSE_CHARS) + "…" : m;
  }
}
