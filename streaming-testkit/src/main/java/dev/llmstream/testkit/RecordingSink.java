package dev.llmstream.testkit;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.UiSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link UiSink} that records every call, checks the {@code UiSink} contract and waits on a timeout, the
 * sink counterpart of {@link TestSubscriber}:
 *
 * <pre>{@code
 * RecordingSink sink = new RecordingSink();
 * UiConnection.connect(provider.stream(request), sink, Runnable::run);
 * ChatResponse done = sink.awaitCompleted(Duration.ofSeconds(5));
 * sink.assertNoViolations();
 * assertThat(sink.shownText()).isEqualTo(done.text());
 * assertThat(sink.content()).containsExactly("text:Hello", "completed:Hello");
 * }</pre>
 *
 * <p><b>What is recorded.</b> Every call except {@code onProgress} as a short string in {@link #calls()}
 * ({@code start}, {@code typing:true}, {@code text:<batch>}, {@code reasoning:<batch>|<full>},
 * {@code tool:<index>:<arguments>}, {@code recovering:<attempt>:<cause>}, {@code replaced:<text>|<reasoning>},
 * {@code completed:<text>}, {@code cancelled:<text>}, {@code failed:<kind>:<text>}); the progress snapshots in
 * {@link #progress()}; the text batches, the last full text, the recovery attempts, the number of redraws and
 * the terminal call's response and failure in their own accessors.
 *
 * <p><b>Violations recorded</b> (see {@link #violations()}): overlapping calls (a call that starts while
 * another one is still copying its arguments or recording, as two threads calling at once would) and any
 * call after the terminal one (which includes a second terminal call). The sink records instead of
 * throwing.
 *
 * <p><b>Threading.</b> Thread-safe: the sink methods may be called on any thread (normally the UI executor
 * given to {@code connect}, one call at a time); the query, wait and assertion methods may be called from
 * any thread. The {@code CharSequence} arguments are copied while the call runs, so the records stay valid
 * after the live views move on. Waits are bounded and fail with an {@link AssertionError}.
 *
 * <p><b>Ownership and lifecycle.</b> One sink per connection: it records one answer from {@code onStart}
 * to its terminal call and is not reset. It owns no threads or resources and needs no closing.
 *
 * <p><b>Extending.</b> To make a sink fail, subclass it and override a method: call {@code super} first to
 * keep the record, then throw. The overriding code runs outside this sink's lock.
 *
 * <pre>{@code
 * RecordingSink sink = new RecordingSink() {
 *   @Override public void onText(CharSequence batch, CharSequence fullText) {
 *     super.onText(batch, fullText);
 *     if (textCalls() == 2) throw new IllegalStateException("widget disposed");
 *   }
 * };
 * }</pre>
 */
public class RecordingSink implements UiSink {
  private final Object lock = new Object();
  private final AtomicInteger inside = new AtomicInteger();
  private final List<String> calls = new ArrayList<>(); // guarded by lock
  private final List<String> violations = new ArrayList<>(); // guarded by lock
  private final List<StreamMetrics> progress = new ArrayList<>(); // guarded by lock
  private final List<String> textBatches = new ArrayList<>(); // guarded by lock
  private final List<Integer> recoveringAttempts = new ArrayList<>(); // guarded by lock
  private String shownText = ""; // guarded by lock
  private int replacedCount; // guarded by lock
  private int terminalCalls; // guarded by lock
  private @Nullable String terminal; // guarded by lock: "completed", "cancelled" or "failed"
  private @Nullable ChatResponse response; // guarded by lock
  private @Nullable StreamException failure; // guarded by lock

  /** A sink with nothing recorded. */
  public RecordingSink() {}

  @Override
  public void onStart() {
    record("start", () -> () -> calls.add("start"));
  }

  @Override
  public void onTyping(boolean typing) {
    record("typing", () -> () -> calls.add("typing:" + typing));
  }

  @Override
  public void onText(CharSequence batch, CharSequence fullText) {
    record("text", () -> {
      String b = batch.toString();
      String full = fullText.toString();
      return () -> {
        calls.add("text:" + b);
        textBatches.add(b);
        shownText = full;
      };
    });
  }

  @Override
  public void onReasoning(CharSequence batch, CharSequence fullReasoning) {
    record("reasoning", () -> {
      String call = "reasoning:" + batch + "|" + fullReasoning;
      return () -> calls.add(call);
    });
  }

  @Override
  public void onToolCall(StreamEvent.ToolCallDelta fragment) {
    record("tool", () -> () -> calls.add("tool:" + fragment.index() + ":" + fragment.arguments()));
  }

  @Override
  public void onProgress(StreamMetrics metrics) {
    record("progress", () -> () -> progress.add(metrics));
  }

  @Override
  public void onRecovering(int attempt, String cause) {
    record("recovering", () -> () -> {
      calls.add("recovering:" + attempt + ":" + cause);
      recoveringAttempts.add(attempt);
    });
  }

  @Override
  public void onReplaced(CharSequence text, CharSequence reasoning) {
    record("replaced", () -> {
      String t = text.toString();
      String r = reasoning.toString();
      return () -> {
        calls.add("replaced:" + t + "|" + r);
        replacedCount++;
        shownText = t;
      };
    });
  }

  @Override
  public void onCompleted(ChatResponse response) {
    record("completed", () -> () -> end("completed", "completed:" + response.text(), response, null));
  }

  @Override
  public void onCancelled(ChatResponse partial) {
    record("cancelled", () -> () -> end("cancelled", "cancelled:" + partial.text(), partial, null));
  }

  @Override
  public void onFailed(StreamException error, ChatResponse partial) {
    record("failed", () -> () -> end("failed", "failed:" + error.kind() + ":" + partial.text(), partial, error));
  }

  private void end(String how, String call, ChatResponse r, @Nullable StreamException error) {
    calls.add(call);
    terminalCalls++;
    terminal = how;
    response = r;
    failure = error;
  }

  /**
   * Records one call: {@code copy} runs inside the call's window but outside the lock (it copies the
   * arguments, live views included) and returns the update to apply under the lock.
   */
  private void record(String name, Supplier<Runnable> copy) {
    boolean overlap = inside.incrementAndGet() != 1;
    try {
      Runnable update = copy.get();
      synchronized (lock) {
        if (overlap) {
          violations.add("overlapping call: " + name);
        }
        if (terminal != null) {
          violations.add("call after terminal " + terminal + ": " + name);
        }
        update.run();
        lock.notifyAll();
      }
    } finally {
      inside.decrementAndGet();
    }
  }

  /**
   * Every call except {@code onProgress}, in order, as short strings (see the class doc).
   *
   * @return the calls (a copy)
   */
  public List<String> calls() {
    synchronized (lock) {
      return List.copyOf(calls);
    }
  }

  /**
   * The calls without {@code start} and {@code typing}: what the answer put on screen, and how it ended.
   *
   * @return the content calls, in order (a copy)
   */
  public List<String> content() {
    synchronized (lock) {
      List<String> out = new ArrayList<>();
      for (String c : calls) {
        if (!c.startsWith("typing:") && !c.equals("start")) {
          out.add(c);
        }
      }
      return List.copyOf(out);
    }
  }

  /**
   * The {@code batch} of each {@code onText} call, in order.
   *
   * @return the text batches (a copy)
   */
  public List<String> textBatches() {
    synchronized (lock) {
      return List.copyOf(textBatches);
    }
  }

  /**
   * How many times {@code onText} was called.
   *
   * @return the count
   */
  public int textCalls() {
    synchronized (lock) {
      return textBatches.size();
    }
  }

  /**
   * The text on screen: the {@code fullText} of the last {@code onText} call, or the text of a later
   * {@code onReplaced}; empty before either.
   *
   * @return the text shown
   */
  public String shownText() {
    synchronized (lock) {
      return shownText;
    }
  }

  /**
   * The {@code onProgress} snapshots, in order.
   *
   * @return the progress snapshots (a copy)
   */
  public List<StreamMetrics> progress() {
    synchronized (lock) {
      return List.copyOf(progress);
    }
  }

  /**
   * The {@code attempt} of each {@code onRecovering} call, in order.
   *
   * @return the recovery attempts (a copy)
   */
  public List<Integer> recoveringAttempts() {
    synchronized (lock) {
      return List.copyOf(recoveringAttempts);
    }
  }

  /**
   * How many times {@code onReplaced} asked for a redraw.
   *
   * @return the count
   */
  public int replacedCount() {
    synchronized (lock) {
      return replacedCount;
    }
  }

  /**
   * How many terminal calls ({@code onCompleted}, {@code onCancelled}, {@code onFailed}) arrived; more than
   * one is also a violation.
   *
   * @return the count
   */
  public int terminalCalls() {
    synchronized (lock) {
      return terminalCalls;
    }
  }

  /**
   * Whether a terminal call arrived.
   *
   * @return {@code true} if terminated
   */
  public boolean isTerminated() {
    synchronized (lock) {
      return terminal != null;
    }
  }

  /**
   * Whether the last terminal call was {@code onCompleted}.
   *
   * @return {@code true} if completed
   */
  public boolean isCompleted() {
    synchronized (lock) {
      return "completed".equals(terminal);
    }
  }

  /**
   * Whether the last terminal call was {@code onCancelled}.
   *
   * @return {@code true} if cancelled
   */
  public boolean isCancelled() {
    synchronized (lock) {
      return "cancelled".equals(terminal);
    }
  }

  /**
   * The response of the last terminal call (the whole answer, or the partial one of a cancel or failure),
   * or {@code null} before it.
   *
   * @return the response or {@code null}
   */
  public @Nullable ChatResponse response() {
    synchronized (lock) {
      return response;
    }
  }

  /**
   * The error of the last terminal call if it was {@code onFailed}, else {@code null}.
   *
   * @return the failure or {@code null}
   */
  public @Nullable StreamException failure() {
    synchronized (lock) {
      return failure;
    }
  }

  /**
   * The contract violations seen so far, described; empty for a well-behaved connection.
   *
   * @return the violations (a copy)
   */
  public List<String> violations() {
    synchronized (lock) {
      return List.copyOf(violations);
    }
  }

  /**
   * Fails if the connection broke the {@link UiSink} contract.
   *
   * @return this sink
   * @throws AssertionError listing the violations
   */
  public RecordingSink assertNoViolations() {
    List<String> v = violations();
    if (!v.isEmpty()) {
      throw new AssertionError("UiSink contract violations: " + v);
    }
    return this;
  }

  /**
   * Waits until a terminal call arrived.
   *
   * @param timeout the longest wait
   * @return this sink
   * @throws AssertionError if none arrived in time (or the wait was interrupted; the interrupt flag is
   *     restored)
   */
  public RecordingSink awaitTerminal(Duration timeout) {
    awaitCondition(timeout, () -> terminal != null, "a terminal call");
    return this;
  }

  /**
   * Waits for {@code onCompleted} and returns its response.
   *
   * @param timeout the longest wait
   * @return the whole answer
   * @throws AssertionError if no terminal call arrived in time, or the answer was cancelled or failed (the
   *     failure is the cause)
   */
  public ChatResponse awaitCompleted(Duration timeout) {
    return Objects.requireNonNull(awaitEnd(timeout, "completed"));
  }

  /**
   * Waits for {@code onCancelled} and returns the partial answer.
   *
   * @param timeout the longest wait
   * @return the partial answer
   * @throws AssertionError if no terminal call arrived in time, or the answer completed or failed
   */
  public ChatResponse awaitCancelled(Duration timeout) {
    return Objects.requireNonNull(awaitEnd(timeout, "cancelled"));
  }

  /**
   * Waits for {@code onFailed} and returns its error.
   *
   * @param timeout the longest wait
   * @return the failure
   * @throws AssertionError if no terminal call arrived in time, or the answer completed or was cancelled
   */
  public StreamException awaitFailed(Duration timeout) {
    awaitEnd(timeout, "failed");
    synchronized (lock) {
      return Objects.requireNonNull(failure);
    }
  }

  /**
   * Waits until at least {@code n} {@code onText} calls arrived, or a terminal call.
   *
   * @param n the number of text calls
   * @param timeout the longest wait
   * @return this sink
   * @throws AssertionError if fewer arrived in time, or the answer ended with fewer
   */
  public RecordingSink awaitTextCalls(int n, Duration timeout) {
    awaitCondition(timeout, () -> textBatches.size() >= n || terminal != null, n + " text calls");
    synchronized (lock) {
      if (textBatches.size() < n) {
        throw new AssertionError(
            "expected " + n + " text calls but the answer ended after " + textBatches.size() + ": " + calls);
      }
    }
    return this;
  }

  private @Nullable ChatResponse awaitEnd(Duration timeout, String expected) {
    awaitTerminal(timeout);
    synchronized (lock) {
      if (!expected.equals(terminal)) {
        throw new AssertionError("expected " + expected + " but the answer " + terminal + ": " + calls, failure);
      }
      return response;
    }
  }

  private void awaitCondition(Duration timeout, BooleanSupplier done, String what) {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!done.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; calls " + calls);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + what, e);
        }
      }
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "RecordingSink[calls=" + calls.size() + ", terminal=" + terminal + ", violations=" + violations + "]";
    }
  }
}
