package dev.llmstream.core.internal;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamListener;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a provider's whole-answer {@link StreamSource} (outside recovery and permits) and reports it to a
 * {@link StreamListener} through a {@link StreamTraceImpl}: start is "request sent", {@code Waiting}
 * events are response headers, content deltas are chunks, {@code complete}/{@code fail}/{@code cancel}
 * are the end. Events are observed before they are passed on, so the listener sees the end after the
 * last chunk. A provider only creates this when a listener is attached: without one, nothing is wrapped
 * and nothing is measured.
 *
 * <p>The cancel request is taken from the stream's {@link CancellationToken}, registered here when the
 * stream is created, so before the stream's own registration (the token runs listeners in registration
 * order) and the request is stamped before the stream reacts to it; a cancelled subscription shows up
 * as {@link #cancel()}. No lock is held while the listener runs; the trace's own updates are short
 * {@code synchronized} sections.
 */
public final class InstrumentedSource implements StreamSource {
  private static final Logger LOG = LoggerFactory.getLogger(InstrumentedSource.class);

  private final StreamSource delegate;
  private final StreamListener listener;
  private final StreamTraceImpl trace;
  private final Runnable registration;

  /**
   * Wraps a source.
   *
   * @param delegate the provider's source for the whole answer
   * @param listener the listener
   * @param trace the stream's trace
   * @param token the stream's cancellation token
   */
  public InstrumentedSource(
      StreamSource delegate, StreamListener listener, StreamTraceImpl trace, CancellationToken token) {
    this.delegate = delegate;
    this.listener = listener;
    this.trace = trace;
    this.registration = token.onCancel(this::cancelRequested);
  }

  @Override
  public void start(StreamEmitter emitter) {
    if (trace.sent()) {
      call("StreamListener.onRequestSent", () -> listener.onRequestSent(trace));
    }
    delegate.start(new Emitter(emitter));
  }

  @Override
  public void pull() {
    delegate.pull();
  }

  @Override
  public void cancel() {
    cancelRequested(); // a cancelled subscription: the request and the abort are one moment
    try {
      delegate.cancel();
    } finally {
      end(StreamState.CANCELLED, null, null);
    }
  }

  private void cancelRequested() {
    if (trace.cancelRequested()) {
      call("StreamListener.onCancelRequested", () -> listener.onCancelRequested(trace));
    }
  }

  private void observe(StreamEvent event) {
    if (event instanceof StreamEvent.TextDelta
        || event instanceof StreamEvent.ReasoningDelta
        || event instanceof StreamEvent.ToolCallDelta) {
      long gap = trace.chunk();
      if (gap >= 0) {
        chunk(gap); // the per-token path: no lambda, no string built
      } else if (gap == -1) {
        call("StreamListener.onFirstChunk", () -> listener.onFirstChunk(trace));
      }
    } else if (event instanceof StreamEvent.Waiting w) {
      if (trace.headers(w.requestId())) {
        call("StreamListener.onHeaders", () -> listener.onHeaders(trace));
      }
    } else if (event instanceof StreamEvent.Finish f && f.usage() != null) {
      trace.usage(f.usage());
    } else if (event instanceof StreamEvent.Recovering) {
      if (trace.recovering()) {
        call("StreamListener.onRecovering", () -> listener.onRecovering(trace));
      }
    }
  }

  private void end(StreamState state, @Nullable ErrorKind kind, @Nullable Throwable error) {
    if (trace.end(state, kind, error)) {
      registration.run();
      call("StreamListener.onEnd", () -> listener.onEnd(trace));
    }
  }

  private void chunk(long gap) {
    try {
      listener.onChunk(trace, gap);
    } catch (Throwable t) {
      LOG.warn("Exception thrown by StreamListener.onChunk; ignored", t);
    }
  }

  private static void call(String what, Runnable r) {
    SerialDrain.callListener(LOG, what, r);
  }

  @Override
  public String toString() {
    return "InstrumentedSource[" + delegate + "]";
  }

  private final class Emitter implements StreamEmitter {
    private final StreamEmitter inner;

    Emitter(StreamEmitter inner) {
      this.inner = inner;
    }

    @Override
    public void next(StreamEvent event) {
      if (!inner.isCancelled()) {
        observe(event);
      }
      inner.next(event);
    }

    @Override
    public void pullDone() {
      inner.pullDone();
    }

    @Override
    public void complete() {
      // a cancel the stream already noted wins: the subscriber will see CANCELLED
      end(inner.isCancelled() ? StreamState.CANCELLED : StreamState.COMPLETED, null, null);
      inner.complete();
    }

    @Override
    public void fail(Throwable error) {
      if (inner.isCancelled()) {
        end(StreamState.CANCELLED, null, null);
      } else {
        end(StreamState.FAILED, error instanceof StreamException se ? se.kind() : ErrorKind.UNKNOWN, error);
      }
      inner.fail(error);
    }

    @Override
    public boolean isCancelled() {
      return inner.isCancelled();
    }

    @Override
    public void responseModel(String model) {
      trace.responseModel(model);
      inner.responseModel(model);
    }

    @Override
    public void retrying() {
      trace.retried();
      inner.retrying();
    }
  }
}
