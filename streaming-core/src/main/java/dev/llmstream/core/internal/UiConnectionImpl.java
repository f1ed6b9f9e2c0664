package dev.llmstream.core.internal;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiConnection;
import dev.llmstream.core.UiSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link UiConnection}: runs a stream through a {@link StreamBufferImpl} into a {@link UiSink} on the
 * caller's executor. Created by {@code UiConnection.connect}.
 *
 * <p>Every sink call runs in a serial "lane": tasks queue in a small non-blocking queue and a
 * {@link SerialDrain} on the executor drains it, one executor task at a time, so the sink is never called
 * concurrently even on a pool. Sink exceptions are caught where the sink is called (the sink gets one
 * {@code onFailed}); anything else that escapes a lane
 * task fails the stream the same way, so the lane never stays busy. The queue is
 * bounded by construction: the adapter requests one batch at a time from the buffer and asks for the
 * next only after the sink has taken the previous one, so at most one batch, one terminal signal and one
 * cancel wait in it. All sink-facing state is owned by the lane.
 */
public final class UiConnectionImpl implements Flow.Subscriber<StreamEvent>, UiConnection {
  private static final Logger LOG = LoggerFactory.getLogger(UiConnectionImpl.class);

  private final UiSink sink;
  private final Executor executor;
  private final UiMetrics metrics;
  private final StreamBufferImpl buffer;
  private final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

  private final UiLane lane;
  private static final int RUNNING = 0;
  private static final int CANCELLING = 1;
  private static final int ENDED = 2;

  /** RUNNING, then either CANCELLING (cancel() won) or ENDED (a terminal signal won); then ENDED. */
  private final AtomicInteger phase = new AtomicInteger(RUNNING);

  private volatile long cancelRequestedAt = -1;
  private volatile Flow.@Nullable Subscription subscription;

  // written by the buffer's drain just before onNext, on the same thread
  private long nextOldest;

  // owned by the lane
  private final AnswerAccumulator answer = new AnswerAccumulator();
  private boolean terminal;
  private boolean typing;
  private @Nullable Throwable streamFailure;

  /**
   * Creates a connection; {@link #connect} starts it.
   *
   * @param sink where to show the answer
   * @param executor the UI thread's executor
   * @param options the batching and the scheduler
   */
  public UiConnectionImpl(UiSink sink, Executor executor, UiConfig options) {
    this.sink = sink;
    this.executor = executor;
    this.metrics = new UiMetrics(options.scheduler());
    this.buffer = new StreamBufferImpl(options, new ProbeBridge());
    this.lane = new UiLane(executor, this::laneFailed, this::executorRejected);
  }

  /**
   * Subscribes the buffer to the stream and this connection to the buffer.
   *
   * @param stream the answer
   */
  public void connect(Flow.Publisher<? extends StreamEvent> stream) {
    submit(this::begin);
    if (lane.isRejected() || phase.get() == ENDED) {
      return; // the executor refused, or onStart threw: the request is never sent
    }
    buffer.subscribe(this);
    stream.subscribe(buffer);
  }

  /**
   * Characters the buffer copied, for tests of linear work.
   *
   * @return the count
   */
  public long bufferCharsCopied() {
    return buffer.charsCopied();
  }

  // ---------------------------------------------------------------------------------------------
  // UiConnection

  @Override
  public boolean cancel() {
    if (!phase.compareAndSet(RUNNING, CANCELLING)) {
      return false; // already cancelled, or the end is already decided
    }
    cancelRequestedAt = metrics.now();
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    submit(this::cancelled);
    return true;
  }

  @Override
  public CompletableFuture<ChatResponse> done() {
    return done.copy();
  }

  @Override
  public StreamMetrics metrics() {
    return metrics.snapshot();
  }

  // ---------------------------------------------------------------------------------------------
  // Subscriber side: called serially by the buffer, on its threads

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (phase.get() != RUNNING || lane.isRejected()) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(StreamEvent event) {
    submit(new Delivery(this, event, nextOldest));
  }

  /** A lane task that shows one event; typed so a text batch can absorb the one queued behind it. */
  private record Delivery(UiConnectionImpl owner, StreamEvent event, long oldestArrival)
      implements Runnable {
    @Override
    public void run() {
      owner.deliver(event, oldestArrival);
    }
  }

  @Override
  public void onError(Throwable error) {
    submit(() -> failed(error));
  }

  @Override
  public void onComplete() {
    submit(this::completed);
  }

  // Probe, called from the buffer's drain loop
  private final class ProbeBridge implements BufferProbe {
    @Override
    public void arrived(StreamEvent event, long nanos) {
      metrics.arrived(event, nanos);
    }

    @Override
    public void emitting(StreamEvent event, long oldestArrivalNanos, int deltas) {
      nextOldest = oldestArrivalNanos;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The lane

  private void submit(Runnable task) {
    lane.submit(task);
  }

  /** A lane task threw past the sink's own handling (a bug): the stream is cancelled and the sink failed. */
  private void laneFailed(Throwable t) {
    if (terminal) {
      return;
    }
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    ChatResponse partial = answer.snapshot().withFinishReason(FinishReason.ERROR);
    StreamException error =
        error(ErrorKind.UNKNOWN, "The UI adapter failed: " + name(t) + "; the stream was cancelled", t, partial);
    endFailed(error, partial);
  }

  private void executorRejected(RuntimeException e) {
    LOG.warn("The UI executor rejected a task; the stream is cancelled and the sink gets no more calls", e);
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    phase.set(ENDED);
    StreamException error =
        error(ErrorKind.CALLER, "The UI executor rejected a task (" + name(e) + "); the stream was cancelled", e, null);
    metrics.end(StreamState.FAILED, ErrorKind.CALLER, -1);
    done.completeExceptionally(error);
  }

  // ---------------------------------------------------------------------------------------------
  // Lane tasks: the only code that calls the sink

  private void begin() {
    String method = "onStart";
    try {
      sink.onStart();
      method = "onTyping";
      typing = true;
      sink.onTyping(true);
    } catch (Throwable t) {
      sinkThrew(method, t);
    }
  }

  private void deliver(StreamEvent event, long oldestArrival) {
    if (terminal || phase.get() == CANCELLING) {
      return; // after cancel() nothing more is shown; the cancel task ends the sink
    }
    String method = "onText";
    try {
      if (event instanceof StreamEvent.TextDelta || event instanceof StreamEvent.ReasoningDelta) {
        method = "onTyping";
        contentStarts();
        method = event instanceof StreamEvent.ReasoningDelta ? "onReasoning" : "onText";
        Shown shown = deliverText(event, oldestArrival);
        method = "onProgress";
        afterBatch(shown);
        return; // deliverText already asked for the next batch
      } else if (event instanceof StreamEvent.ToolCallDelta d) {
        method = "onTyping";
        contentStarts();
        answer.accept(d);
        method = "onToolCall";
        sink.onToolCall(d);
      } else if (event instanceof StreamEvent.Waiting) {
        if (!typing) { // a new attempt after an interruption
          method = "onTyping";
          typing = true;
          sink.onTyping(true);
        }
      } else if (event instanceof StreamEvent.Recovering rec) {
        metrics.recovering();
        method = "onRecovering";
        sink.onRecovering(rec.attempt(), rec.cause());
      } else if (event instanceof StreamEvent.Replaced rep) {
        method = "onTyping";
        contentStarts();
        answer.accept(rep);
        method = "onReplaced";
        sink.onReplaced(answer.text(), answer.reasoning());
      } else if (event instanceof StreamEvent.Finish f) {
        answer.accept(f);
      }
    } catch (Throwable t) {
      sinkThrew(method, t);
      return;
    }
    requestNext();
  }

  /**
   * Shows a text or reasoning batch, merged with any batch of the same kind that is already waiting
   * behind it: the next batch is requested first, and while the buffer answers at once with more of the
   * same kind (it had coalesced text while the UI was busy), that text joins this sink call. So a UI
   * that runs late gets one update per turn, not a stale one and then a catch-up. The lane stays the
   * only source of order: only the task at its head is merged.
   *
   * @return what was shown, for {@link #afterBatch}
   */
  private Shown deliverText(StreamEvent first, long oldestArrival) {
    boolean reasoning = first instanceof StreamEvent.ReasoningDelta;
    CharSequence full = reasoning ? answer.reasoning() : answer.text();
    int from = full.length();
    answer.accept(first);
    long oldest = oldestArrival;
    int merged = 0;
    for (; ; ) {
      requestNext();
      Runnable next = lane.peek();
      if (next instanceof Delivery d
          && phase.get() == RUNNING
          && (reasoning
              ? d.event() instanceof StreamEvent.ReasoningDelta
              : d.event() instanceof StreamEvent.TextDelta)
          && lane.take(d)) {
        answer.accept(d.event());
        oldest = Math.min(oldest, d.oldestArrival());
        merged++;
        continue;
      }
      break;
    }
    int to = full.length();
    CharSequence batch =
        merged == 0 ? text(first) : new TextSlice(reasoning ? answer.reasoning() : answer.text(), from, to);
    if (reasoning) {
      sink.onReasoning(batch, answer.reasoning());
    } else {
      sink.onText(batch, answer.text());
    }
    return new Shown(to - from, oldest);
  }

  /** One sink call's worth of text: its length and when its oldest part arrived. */
  private record Shown(int chars, long oldestArrival) {}

  private static String text(StreamEvent e) {
    return e instanceof StreamEvent.TextDelta t ? t.text() : ((StreamEvent.ReasoningDelta) e).text();
  }

  private void requestNext() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.request(1);
    }
  }

  /** Stops the typing indicator (sink method {@code onTyping}) and records the first token. */
  private void contentStarts() {
    metrics.contentStarts();
    if (typing) {
      typing = false;
      sink.onTyping(false);
    }
  }

  /** Records a shown batch and calls the sink's {@code onProgress}. */
  private void afterBatch(Shown shown) {
    sink.onProgress(metrics.batch(shown.chars(), shown.oldestArrival()));
  }

  private void completed() {
    if (terminal || !phase.compareAndSet(RUNNING, ENDED)) {
      return; // cancel() won: its task gives the sink onCancelled
    }
    ChatResponse response = answer.snapshot();
    boolean byToken = response.finishReason() == FinishReason.CANCELLED;
    if (!stopTyping()) {
      return;
    }
    terminal = true;
    phase.set(ENDED);
    metrics.end(byToken ? StreamState.CANCELLED : StreamState.COMPLETED, null, -1);
    String method = byToken ? "onCancelled" : "onCompleted";
    try {
      if (byToken) {
        sink.onCancelled(response);
      } else {
        sink.onCompleted(response);
      }
    } catch (Throwable t) {
      terminalThrew(method, t, response);
      return;
    }
    done.complete(response);
  }

  private void cancelled() {
    if (terminal) {
      return;
    }
    if (!stopTyping()) {
      return;
    }
    terminal = true;
    phase.set(ENDED);
    ChatResponse partial = answer.snapshot().withFinishReason(FinishReason.CANCELLED);
    metrics.end(StreamState.CANCELLED, null, cancelRequestedAt);
    try {
      sink.onCancelled(partial);
    } catch (Throwable t) {
      terminalThrew("onCancelled", t, partial);
      return;
    }
    done.complete(partial);
  }

  private void failed(Throwable cause) {
    if (terminal || !phase.compareAndSet(RUNNING, ENDED)) {
      return; // cancel() won: its task gives the sink onCancelled
    }
    streamFailure = cause; // kept as suppressed if the sink throws on the way
    if (!stopTyping()) {
      return;
    }
    ChatResponse partial = answer.snapshot().withFinishReason(FinishReason.ERROR);
    StreamException error;
    if (cause instanceof StreamException se) {
      error = se;
    } else {
      error =
          error(ErrorKind.UNKNOWN, "The stream failed unexpectedly: " + name(cause), cause, partial);
    }
    endFailed(error, partial);
  }

  /** Turns the typing indicator off before a terminal call; false if the sink threw (then it failed). */
  private boolean stopTyping() {
    if (!typing) {
      return true;
    }
    typing = false;
    try {
      sink.onTyping(false);
      return true;
    } catch (Throwable t) {
      sinkThrew("onTyping", t);
      return false;
    }
  }

  /** A sink method threw before the terminal call: cancel the stream and fail the sink, once. */
  private void sinkThrew(String method, Throwable t) {
    if (terminal) {
      return;
    }
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel(); // aborts the network exchange
    }
    ChatResponse partial = answer.snapshot().withFinishReason(FinishReason.ERROR);
    StreamException error =
        error(ErrorKind.CALLER, "The UI sink threw from " + method + ": " + name(t) + "; the stream was cancelled", t, null);
    Throwable lost = streamFailure;
    if (lost != null) {
      error.addSuppressed(lost);
    }
    CoreAccess.attachPartial(error, partial);
    endFailed(error, partial);
  }

  private void endFailed(StreamException error, ChatResponse partial) {
    terminal = true;
    phase.set(ENDED);
    metrics.end(StreamState.FAILED, error.kind(), -1);
    try {
      sink.onFailed(error, partial);
    } catch (Throwable t) {
      LOG.warn("UiSink.onFailed threw; nothing more is delivered", t);
    }
    done.completeExceptionally(error);
  }

  private void terminalThrew(String method, Throwable t, ChatResponse response) {
    LOG.warn("UiSink.{} threw; the stream had already ended", method, t);
    StreamException error =
        error(ErrorKind.CALLER, "The UI sink threw from " + method + ": " + name(t), t, response);
    done.completeExceptionally(error);
  }

  /** An error this adapter raises itself, with the partial answer attached when given. */
  private static StreamException error(
      ErrorKind kind, String message, Throwable cause, @Nullable ChatResponse partial) {
    StreamException e = new StreamException(kind, message, StreamException.NO_STATUS, null, cause);
    if (partial != null) {
      CoreAccess.attachPartial(e, partial);
    }
    return e;
  }

  private static String name(Throwable t) {
    return t.getClass().getSimpleName();
  }

  @Override
  public String toString() {
    return "UiConnection[" + metrics.snapshot().state() + "]";
  }
}
