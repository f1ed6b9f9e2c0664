package dev.llmstream.spring.internal;

import dev.llmstream.web.RunReader;
import dev.llmstream.web.SseConnection;
import dev.llmstream.web.SseSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * A run's event stream as a WebFlux {@code Flux<ServerSentEvent<String>>}: each write of the relay (the
 * {@code retry:} preamble, a batch of events, a heartbeat comment) becomes its events, emitted only as
 * the subscriber requests them; the relay's write is acknowledged once all of its events went out, so at
 * most one write's events wait here (the relay has at most one write outstanding and waits for
 * {@code done}): backpressure reaches the relay, and no queue grows. The subscription's cancel (the client
 * left) is the relay's {@link SseConnection#clientClosed()}.
 *
 * <p>The relay's frames are parsed back into {@code id}, {@code event}, {@code data}, {@code retry} and
 * comment fields (the relay writes one-line JSON data, so no data is split or joined); Spring's SSE encoder
 * writes them (as {@code id:7}, without the optional space). Thread-safe: the lock guards only the pending
 * events, a work-in-progress counter lets one thread emit at a time in order, and the relay's callback and
 * Reactor's {@code next} are called with no lock held.
 */
final class FluxSseSink implements SseSink {
  private final FluxSink<ServerSentEvent<String>> emitter;
  private final AtomicInteger wip = new AtomicInteger();
  private final Object lock = new Object();
  private final ArrayDeque<ServerSentEvent<String>> pending = new ArrayDeque<>(); // guarded by lock
  private @Nullable Consumer<@Nullable Throwable> pendingDone; // guarded by lock
  private boolean closed; // guarded by lock

  private FluxSseSink(FluxSink<ServerSentEvent<String>> emitter) {
    this.emitter = emitter;
  }

  /**
   * The events of {@code reader}.
   *
   * @param reader a reader with more to send, not yet started
   * @return the events; subscribing starts the relay, cancelling ends it
   */
  static Flux<ServerSentEvent<String>> events(RunReader reader) {
    return Flux.create(
        emitter -> {
          FluxSseSink sink = new FluxSseSink(emitter);
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
    List<ServerSentEvent<String>> events = parse(new String(bytes, StandardCharsets.UTF_8));
    boolean gone;
    synchronized (lock) {
      gone = closed;
      if (!gone) {
        pending.addAll(events);
        pendingDone = done;
      }
    }
    if (gone) {
      done.accept(new IOException("connection closed"));
    } else {
      drain();
    }
  }

  /** Emits pending events while there is demand; acknowledges the write once all of it went out. */
  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      for (; ; ) {
        ServerSentEvent<String> next = null;
        Consumer<@Nullable Throwable> done = null;
        synchronized (lock) {
          if (closed) {
            break;
          }
          if (!pending.isEmpty() && emitter.requestedFromDownstream() > 0) {
            next = pending.poll();
          }
          if (pending.isEmpty() && pendingDone != null) {
            done = pendingDone;
            pendingDone = null;
          }
        }
        if (next == null && done == null) {
          break;
        }
        if (next != null) {
          emitter.next(next);
        }
        if (done != null) {
          done.accept(null); // the relay may write again from here: the loop picks it up
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void abandon() {
    Consumer<@Nullable Throwable> done;
    synchronized (lock) {
      closed = true;
      done = pendingDone;
      pending.clear();
      pendingDone = null;
    }
    if (done != null) {
      done.accept(new IOException("connection closed"));
    }
  }

  @Override
  public void close() {
    Consumer<@Nullable Throwable> done;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      done = pendingDone; // the relay closes mid-write only when it gives the connection up (shutdown)
      pending.clear();
      pendingDone = null;
    }
    emitter.complete();
    if (done != null) {
      done.accept(new IOException("connection closed"));
    }
  }

  /**
   * The events of relay frames ({@code text/event-stream} text): one per block ended by a blank line;
   * a block of comments only becomes a comment event (the heartbeat).
   *
   * @param text whole blocks
   * @return the events, in order
   */
  static List<ServerSentEvent<String>> parse(String text) {
    List<ServerSentEvent<String>> out = new ArrayList<>(2);
    ServerSentEvent.Builder<String> b = null;
    StringBuilder data = null;
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl;
      String line = text.substring(start, end);
      start = end + 1;
      if (line.isEmpty()) {
        if (b != null) {
          out.add((data == null ? b : b.data(data.toString())).build());
        }
        b = null;
        data = null;
        continue;
      }
      if (b == null) {
        b = ServerSentEvent.builder();
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "" -> b.comment(value);
        case "id" -> b.id(value);
        case "event" -> b.event(value);
        case "retry" -> b.retry(Duration.ofMillis(Long.parseLong(value)));
        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> { } // no other field is written by the relay
      }
    }
    if (b != null) {
      out.add((data == null ? b : b.data(data.toString())).build());
    }
    return out;
  }
}
