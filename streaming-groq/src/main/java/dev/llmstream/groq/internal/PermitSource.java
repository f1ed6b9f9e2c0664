package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.spi.StreamEmitter;
import dev.llmstream.core.spi.StreamSource;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds one {@link StreamPermits} permit for a whole logical stream, across its recovery attempts, so a
 * recovery never competes with new streams for a permit. Fails at once, sending nothing and never
 * blocking, when the provider already runs {@code maxConcurrentStreams}. The permit is returned on every
 * terminal path: completion, failure and cancellation.
 */
public final class PermitSource implements StreamSource {
  private final StreamSource delegate;
  private final StreamPermits permits;
  private final AtomicBoolean held = new AtomicBoolean();
  private volatile boolean started;

  /**
   * Wraps a source.
   *
   * @param delegate the logical stream (normally the recovering source)
   * @param permits the provider's permits
   */
  public PermitSource(StreamSource delegate, StreamPermits permits) {
    this.delegate = delegate;
    this.permits = permits;
  }

  @Override
  public void start(StreamEmitter emitter) {
    if (!permits.tryAcquire()) {
      emitter.fail(
          new StreamException(ErrorKind.LIMIT_EXCEEDED, "This provider already runs maxConcurrentStreams ("
                  + permits.max()
                  + ") streams; the request was not sent. Raise GroqProvider.Builder.maxConcurrentStreams(int) "
                  + "or retry when a stream has ended",
              StreamException.NO_STATUS,
              null,
              null));
      return;
    }
    held.set(true);
    started = true;
    delegate.start(
        new StreamEmitter() {
          @Override
          public void next(StreamEvent event) {
            emitter.next(event);
          }

          @Override
          public void pullDone() {
            emitter.pullDone();
          }

          @Override
          public void complete() {
            release();
            emitter.complete();
          }

          @Override
          public void fail(Throwable error) {
            release();
            emitter.fail(error);
          }

          @Override
          public boolean isCancelled() {
            return emitter.isCancelled();
          }

          @Override
          public void responseModel(String model) {
            emitter.responseModel(model);
          }

          @Override
          public void retrying() {
            emitter.retrying();
          }
        });
  }

  @Override
  public void pull() {
    if (started) {
      delegate.pull();
    }
  }

  @Override
  public void cancel() {
    release();
    if (started) {
      delegate.cancel();
    }
  }

  private void release() {
    if (held.compareAndSet(true, false)) {
      permits.release();
    }
  }
}
