package dev.llmstream.testkit.internal;

import dev.llmstream.core.StreamScheduler;
import dev.llmstream.testkit.ConnectionRecord;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server for the fake: one selector thread accepts connections, reads requests and
 * notices clients that close; the responses are written step by step from tasks on the injected
 * {@link StreamScheduler}, with non-blocking writes. No thread per connection: a thousand paced streams
 * cost a thousand small objects and timer entries.
 *
 * <p>Supports what the fake needs: {@code Content-Length} and chunked request bodies, keep-alive,
 * pipelined requests answered in order. Writes that the socket cannot take at once wait for
 * {@code OP_WRITE} before the next step is planned, so a slow client holds back the plan instead of
 * growing a buffer.
 */
public final class LoopbackServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoopbackServer.class);
  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_BODY = 16 * 1024 * 1024;
  /** A stream that fell further behind its timeline than this (a slow reader) restarts it from now. */
  private static final long MAX_LAG_NANOS = 100_000_000L;

  private final StreamScheduler scheduler;
  private final Function<ParsedRequest, Exchange> handler;
  private final Selector selector;
  private final ServerSocketChannel serverChannel;
  private final Set<Conn> conns = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<Runnable> selectorTasks = new ConcurrentLinkedQueue<>();
  private final Thread loop;
  private volatile boolean running = true;

  /**
   * Binds and starts the selector thread.
   *
   * @throws IOException if the address cannot be bound
   */
  public LoopbackServer(String host, int port, StreamScheduler scheduler, Function<ParsedRequest, Exchange> handler)
      throws IOException {
    this.scheduler = scheduler;
    this.handler = handler;
    this.selector = Selector.open();
    this.serverChannel = ServerSocketChannel.open();
    try {
      serverChannel.bind(new InetSocketAddress(host, port), 1024);
      serverChannel.configureBlocking(false);
      serverChannel.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException | RuntimeException e) {
      serverChannel.close();
      selector.close();
      throw e;
    }
    this.loop = new Thread(this::run, "fake-groq-selector-" + port());
    loop.setDaemon(true);
    loop.start();
  }

  /**
   * The TCP connections open now, as the server sees them (accepted and not yet closed by either side).
   *
   * @return the count
   */
  public int openConnections() {
    return conns.size();
  }

  /** The bound port. */
  public int port() {
    return serverChannel.socket().getLocalPort();
  }

  private void run() {
    try {
      while (running) {
        selector.select(500);
        Runnable task;
        while ((task = selectorTasks.poll()) != null) {
          task.run();
        }
        Set<SelectionKey> keys = selector.selectedKeys();
        for (SelectionKey key : keys) {
          try {
            if (!key.isValid()) {
              continue;
            }
            if (key.isAcceptable()) {
              accept();
            } else {
              Conn c = (Conn) key.attachment();
              if (key.isReadable()) {
                onReadable(c);
              }
              if (key.isValid() && key.isWritable()) {
                onWritable(c);
              }
            }
          } catch (java.nio.channels.CancelledKeyException e) {
            // closed concurrently by a writer task: nothing to do
          }
        }
        keys.clear();
      }
    } catch (ClosedSelectorException e) {
      // closing
    } catch (IOException | RuntimeException e) {
      if (running) {
        LOG.error("fake server selector loop failed", e);
      }
    }
  }

  private void accept() throws IOException {
    SocketChannel ch;
    while ((ch = serverChannel.accept()) != null) {
      ch.configureBlocking(false);
      ch.socket().setTcpNoDelay(true);
      Conn c = new Conn(ch);
      c.key = ch.register(selector, SelectionKey.OP_READ, c);
      conns.add(c);
    }
  }

  private void onReadable(Conn c) {
    ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
    while (true) {
      int n;
      try {
        n = c.ch.read(buf);
      } catch (IOException e) {
        close(c, ConnectionRecord.Ending.CLOSED_BY_CLIENT);
        return;
      }
      if (n < 0) {
        close(c, ConnectionRecord.Ending.CLOSED_BY_CLIENT);
        return;
      }
      if (n == 0) {
        break;
      }
      c.append(buf.array(), buf.position());
      buf.clear();
      if (c.in.length() > MAX_HEAD + MAX_BODY) {
        LOG.warn("fake server: request too large, closing connection");
        close(c, ConnectionRecord.Ending.CLOSED_BY_CLIENT);
        return;
      }
    }
    tryStartExchange(c);
  }

  /** On the selector thread: if idle and a whole request is buffered, answer it. */
  private void tryStartExchange(Conn c) {
    ParsedRequest req;
    synchronized (c) {
      if (c.closed || c.busy) {
        return;
      }
      req = c.in.take();
      if (req == null) {
        return;
      }
      c.busy = true;
    }
    Exchange ex;
    try {
      ex = handler.apply(req); // outside the connection's lock
    } catch (RuntimeException e) {
      LOG.error("fake server: handler failed, closing connection", e);
      close(c, null);
      return;
    }
    String connection = RequestBuffer.first(req.headers(), "connection");
    synchronized (c) {
      c.keepAlive = connection == null || !connection.toLowerCase(Locale.ROOT).contains("close");
      c.plan = ex.plan();
      c.state = ex.state();
      c.dueNanos = scheduler.nanoTime();
      if (c.closed) { // closed while the handler ran
        ex.state().end(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
        ex.state().markStarted();
        return;
      }
      planNext(c);
      ex.state().markStarted();
    }
  }

  /** Takes the next step and schedules it; caller holds c's lock. */
  private void planNext(Conn c) {
    ResponsePlan plan = c.plan;
    if (plan == null) {
      return;
    }
    Step step = plan.next();
    c.pendingStep = step;
    c.timer = scheduler.schedule(Duration.ofNanos(waitFor(c, step)), () -> perform(c));
  }

  /**
   * How long to wait for {@code step}: steps follow a timeline (each due its delay after the previous
   * one was due), so timer overhead does not accumulate into a slower rate. Caller holds c's lock.
   */
  private long waitFor(Conn c, Step step) {
    long now = scheduler.nanoTime();
    long due = c.dueNanos + step.delayNanos();
    if (now - due > MAX_LAG_NANOS) {
      due = now;
    }
    c.dueNanos = due;
    return Math.max(0, due - now);
  }

  /** A scheduler task: performs the pending step, and following zero-delay steps inline. */
  private void perform(Conn c) {
    int budget = 256;
    synchronized (c) {
      while (true) {
        Step s = c.pendingStep;
        if (c.closed || s == null) {
          return;
        }
        c.pendingStep = null;
        if (s.bytes() != null) {
          c.out = ByteBuffer.wrap(s.bytes());
          c.written = s;
          if (!flush(c)) {
            return; // onWritable continues, or the connection is closed
          }
        }
        if (!afterStep(c, s)) {
          return;
        }
        ResponsePlan plan = c.plan;
        if (plan == null) {
          return;
        }
        Step next = plan.next();
        long wait = waitFor(c, next);
        if (wait > 0 || --budget == 0) {
          c.pendingStep = next;
          c.timer = scheduler.schedule(Duration.ofNanos(wait), () -> perform(c));
          return;
        }
        c.pendingStep = next;
      }
    }
  }

  private void onWritable(Conn c) {
    synchronized (c) {
      if (c.closed || c.out == null) {
        return;
      }
      if (!flush(c)) {
        return;
      }
      Step s = c.written;
      if (s != null && afterStep(c, s)) {
        planNext(c);
      }
    }
  }

  /** Writes what the socket takes; caller holds c's lock. Returns true when all is written. */
  private boolean flush(Conn c) {
    ByteBuffer out = c.out;
    if (out == null) {
      return true;
    }
    try {
      while (out.hasRemaining()) {
        if (c.ch.write(out) == 0) {
          interest(c, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
          return false;
        }
      }
    } catch (IOException e) {
      close(c, ConnectionRecord.Ending.CLOSED_BY_CLIENT);
      return false;
    }
    c.out = null;
    if (c.writeInterest) {
      interest(c, SelectionKey.OP_READ);
    }
    return true;
  }

  private void interest(Conn c, int ops) {
    SelectionKey k = c.key;
    if (k != null && k.isValid()) {
      k.interestOps(ops);
      c.writeInterest = (ops & SelectionKey.OP_WRITE) != 0;
      selector.wakeup();
    }
  }

  /** After a step's bytes are out: returns true to go on with the next step. Caller holds c's lock. */
  private boolean afterStep(Conn c, Step s) {
    c.written = null;
    ExchangeState state = c.state;
    if (state != null) {
      state.addChunks(s.events());
    }
    switch (s.after()) {
      case CONTINUE:
        return true;
      case STALL:
        if (state != null) {
          state.stall();
        }
        return false;
      case CUT:
        close(c, ConnectionRecord.Ending.CUT);
        return false;
      case END:
      default:
        if (state != null) {
          state.end(ConnectionRecord.Ending.COMPLETED);
        }
        c.plan = null;
        c.state = null;
        c.busy = false;
        if (!c.keepAlive) {
          close(c, null);
        } else if (c.in.length() > 0) {
          selectorTasks.add(() -> tryStartExchange(c));
          selector.wakeup();
        }
        return false;
    }
  }

  /** Closes the connection; records {@code ending} on an open exchange. Any thread, idempotent. */
  private void close(Conn c, ConnectionRecord.@Nullable Ending ending) {
    ExchangeState state;
    Future<?> timer;
    synchronized (c) {
      if (c.closed) {
        return;
      }
      c.closed = true;
      state = c.state;
      timer = c.timer;
      c.plan = null;
      c.pendingStep = null;
      c.out = null;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    conns.remove(c);
    try {
      if (c.key != null) {
        c.key.cancel();
      }
      if (ending == ConnectionRecord.Ending.CUT) {
        c.ch.shutdownOutput(); // FIN first: the client gets every byte sent, then EOF mid-body
      }
    } catch (IOException e) {
      // already gone
    }
    try {
      c.ch.close();
    } catch (IOException e) {
      LOG.debug("close failed", e);
    }
    if (state != null && ending != null) {
      state.end(ending);
    }
  }

  /** Stops accepting, closes every connection (open exchanges end as SERVER_CLOSED). */
  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      loop.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Conn c : conns) {
      close(c, ConnectionRecord.Ending.SERVER_CLOSED);
    }
    try {
      serverChannel.close();
    } catch (IOException e) {
      LOG.debug("close failed", e);
    }
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("close failed", e);
    }
  }

  /** One client connection. Fields other than the input buffer are guarded by the object's lock. */
  private static final class Conn {
    final SocketChannel ch;
    @Nullable SelectionKey key;
    final RequestBuffer in = new RequestBuffer(); // selector thread (and parse under lock)
    boolean closed;
    boolean busy;
    boolean keepAlive = true;
    boolean writeInterest;
    long dueNanos;
    @Nullable ResponsePlan plan;
    @Nullable ExchangeState state;
    @Nullable Step pendingStep;
    @Nullable Step written;
    @Nullable ByteBuffer out;
    @Nullable Future<?> timer;

    Conn(SocketChannel ch) {
      this.ch = ch;
    }

    synchronized void append(byte[] data, int n) {
      in.append(data, n);
    }
  }
}
