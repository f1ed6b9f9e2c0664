package dev.llmstream.spring.internal;

import dev.llmstream.web.RunReader;
import dev.llmstream.web.SseConnection;
import dev.llmstream.web.SseSink;
import java.io.IOException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * A run's event stream as a WebFlux body: each write of the relay becomes one flushed chunk, emitted only
 * when the connection has demand, so at most one write waits here (the relay has at most one outstanding
 * and waits for {@code done}); the subscription's cancel (the client left) is the relay's
 * {@link SseConnection#clientClosed()}.
 *
 * <p>The frames are the relay's own bytes (ids, {@code retry:}, heartbeat comments, coalescing), written
 * as they are rather than re-parsed into {@code ServerSentEvent} objects that WebFlux would encode again
 * to the same bytes. Thread-safe: the lock guards only the pending write; the relay's callback and
 * Reactor's {@code next} are called after it is released.
 */
final class FluxSseSink implements SseSink {
  private final FluxSink<Publisher<DataBuffer>> emitter;
  private final DataBufferFactory buffers;
  private final Object lock = new Object();
  private byte @Nullable [] pending; // guarded by lock
  private @Nullable Consumer<@Nullable Throwable> pendingDone; // guarded by lock
  private boolean closed; // guarded by lock

  private FluxSseSink(FluxSink<Publisher<DataBuffer>> emitter, DataBufferFactory buffers) {
    this.emitter = emitter;
    this.buffers = buffers;
  }

  /**
   * The frames of {@code reader}, one inner publisher per write (each flushed by
   * {@code writeAndFlushWith}).
   *
   * @param reader a reader with more to send, not yet started
   * @param buffers the connection's buffer factory
   * @return the body; subscribing starts the relay, cancelling ends it
   */
  static Flux<Publisher<DataBuffer>> frames(RunReader reader, DataBufferFactory buffers) {
    return Flux.create(
        emitter -> {
          FluxSseSink sink = new FluxSseSink(emitter, buffers);
          SseConnection connection = reader.start(sink);
          emitter.onRequest(n -> sink.drain());
          emitter.onDispose(
              () -> {
                sink.abandon();
                connection.clientClosed();
              });
        },
        FluxSink.OverflowStrategy.ERROR);
  }

  @Override
  public void write(byte[] bytes, Consumer<@Nullable Throwable> done) {
    boolean gone;
    synchronized (lock) {
      gone = closed;
      if (!gone) {
        pending = bytes;
        pendingDone = done;
      }
    }
    if (gone) {
      done.accept(new IOException("connection closed"));
    } else {
      drain();
    }
  }

  private void drain() {
    byte[] bytes;
    Consumer<@Nullable Throwable> done;
    synchronized (lock) {
      if (pending == null || closed || emitter.requestedFromDownstream() <= 0) {
        return;
      }
      bytes = pending;
      done = pendingDone;
      pending = null;
      pendingDone = null;
    }
    emitter.next(Mono.just(buffers.wrap(bytes)));
    if (done != null) {
      done.accept(null);
    }
  }

  private void abandon() {
    Consumer<@Nullable Throwable> done;
    synchronized (lock) {
      closed = true;
      done = pendingDone;
      pending = null;
      pendingDone = null;
    }
    if (done != null) {
      done.accept(new IOException("connection closed"));
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    emitter.complete();
  }
}
