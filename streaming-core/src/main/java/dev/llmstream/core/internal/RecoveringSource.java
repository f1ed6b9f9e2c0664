package dev.llmstream.core.internal;

import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
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
 */
public final class RecoveringSource implements StreamSource {
  private static final int MAX_CAUSE_CHARS = 200;

  private final ChatRequest request;
  private final RecoveryPolicy policy;
  private final StreamScheduler scheduler;
  private final AttemptFactory attempts;
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
  private final StringBuilder text = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private boolean sawContent;
  private @Nullable Usage usageBefore;
  private @Nullable Usage usageThisAttempt;
  private @Nullable Dedupe textDedupe;
  private @Nullable Dedupe reasoningDedupe;

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
    open(request, 0);
  }

  private void open(ChatRequest req, int number) {
    StreamSource source = attempts.open(req, number);
    AttemptEmitter emitter = new AttemptEmitter(number);
    boolean pull;
    synchronized (lock) {
      if (cancelled || finished) {
        return;
      }
      attempt = number;
      current = source;
      backoff = null;
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
        finishDedupe(out);
      }
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
          if (usageThisAttempt != null) {
            usageBefore = usageBefore == null ? usageThisAttempt : usageBefore.plus(usageThisAttempt);
            usageThisAttempt = null;
          }
          announce.add(new StreamEvent.Recovering(n, describe(error)));
          next = nextRequest(announce);
          delay = jittered(policy.backoff(n));
        }
      }
      if (next == null) {
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
    if (event instanceof StreamEvent.TextDelta t) {
      sawContent = true;
      if (textDedupe != null) {
        dedupe(textDedupe, t.text(), true, out);
      } else {
        text.append(t.text());
        out.add(t);
      }
    } else if (event instanceof StreamEvent.ReasoningDelta r) {
      sawContent = true;
      if (reasoningDedupe != null) {
        dedupe(reasoningDedupe, r.text(), false, out);
      } else {
        reasoning.append(r.text());
        out.add(r);
      }
    } else if (event instanceof StreamEvent.ToolCallDelta) {
      sawContent = true;
      out.add(event);
    } else if (event instanceof StreamEvent.UsageUpdate u) {
      usageThisAttempt = u.usage();
      out.add(usageBefore == null ? u : new StreamEvent.UsageUpdate(usageBefore.plus(u.usage())));
    } else if (event instanceof StreamEvent.Finish) {
      finishDedupe(out);
      out.add(event);
    } else {
      out.add(event);
    }
  }

  /** Feeds a restarted attempt's piece through the de-duplication of one channel. Under the lock. */
  private void dedupe(Dedupe d, String piece, boolean isText, List<StreamEvent> out) {
    String fresh = d.offer(piece);
    if (fresh == null) {
      replaceWithCandidates(out);
    } else if (!fresh.isEmpty()) {
      (isText ? text : reasoning).append(fresh);
      out.add(isText ? new StreamEvent.TextDelta(fresh) : new StreamEvent.ReasoningDelta(fresh));
    }
    if (d.passedThrough()) {
      if (isText) {
        textDedupe = null;
      } else {
        reasoningDedupe = null;
      }
    }
  }

  /** The restarted answer diverged: what the UI shows is replaced by what the new attempt said. */
  private void replaceWithCandidates(List<StreamEvent> out) {
    String newText = textDedupe != null ? textDedupe.candidate() : text.toString();
    String newReasoning = reasoningDedupe != null ? reasoningDedupe.candidate() : reasoning.toString();
    textDedupe = null;
    reasoningDedupe = null;
    text.setLength(0);
    text.append(newText);
    reasoning.setLength(0);
    reasoning.append(newReasoning);
    out.add(new StreamEvent.Replaced(newText, newReasoning));
  }

  /** At the end of a restarted answer that is shorter than what was shown: replace. Under the lock. */
  private void finishDedupe(List<StreamEvent> out) {
    boolean shorter =
        (textDedupe != null && !textDedupe.passedThrough() && textDedupe.isShorter())
            || (reasoningDedupe != null && !reasoningDedupe.passedThrough() && reasoningDedupe.isShorter());
    if (shorter) {
      replaceWithCandidates(out);
    }
    textDedupe = null;
    reasoningDedupe = null;
  }

  /** The request for the next attempt (and any event announcing a replacement). Under the lock. */
  private ChatRequest nextRequest(List<StreamEvent> announce) {
    if (policy.strategy() == RecoveryPolicy.Strategy.RESTART_DEDUPE) {
      textDedupe = new Dedupe(text.toString());
      reasoningDedupe = new Dedupe(reasoning.toString());
      return request;
    }
    if (text.length() > 0) {
      // Prefill: the partial answer, byte for byte, as a trailing assistant message.
      return request.toBuilder().addMessage(ChatMessage.assistant(text.toString())).build();
    }
    // Only reasoning or tool-call fragments so far: nothing to prefill; start over and tell the UI.
    reasoning.setLength(0);
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

  /**
   * Prefix de-duplication of one channel for a restarted answer: swallows what repeats the text already
   * shown, passes on what goes beyond it, and reports divergence. Linear in the text's length.
   */
  static final class Dedupe {
    private final String shown;
    private final StringBuilder candidate = new StringBuilder();
    private boolean through;

    Dedupe(String shown) {
      this.shown = shown;
      this.through = shown.isEmpty();
    }

    /** Returns the part to show ("" while repeating), or null if the new answer diverged. */
    @Nullable String offer(String piece) {
      if (through) {
        return piece;
      }
      int at = candidate.length();
      candidate.append(piece);
      int overlap = Math.min(piece.length(), shown.length() - at);
      if (!shown.regionMatches(at, piece, 0, overlap)) {
        return null;
      }
      if (candidate.length() >= shown.length()) {
        through = true;
        return piece.substring(overlap);
      }
      return "";
    }

    boolean passedThrough() {
      return through;
    }

    boolean isShorter() {
      return candidate.length() < shown.length();
    }

    String candidate() {
      return candidate.toString();
    }
  }
}
