package dev.llmstream.benchmarks.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A small HTTP/1.1 server on 127.0.0.1 for the benchmarks: one NIO selector thread serves every
 * connection, so a thousand paced streams cost one thread and the server is not what is measured.
 *
 * <p>It reads a request (headers, then a {@code Content-Length} or chunked body), hands an
 * {@link Exchange} to the {@link Responder} on the server thread, and writes what the responder sends:
 * pre-encoded bytes, written non-blocking in order, with {@code TCP_NODELAY} on every connection.
 * Responses are {@code text/event-stream} with chunked transfer encoding; after {@link Exchange#end()} the
 * connection serves the next request (keep-alive). A client closing the connection is seen at once (read
 * returns -1 or the connection is reset) and its time recorded ({@link Exchange#closedAtNanos()}).
 *
 * <p>The server thread's CPU time is available ({@link #serverCpuNanos()}) so that benchmarks report the
 * server's own cost. Servers register in {@link #running()} while open (for the profiler in the same JVM).
 *
 * <p><b>Why not the testkit's {@code FakeGroqServer}.</b> The project has one fake server family, the
 * testkit's, and the library's tests use it; this is the benchmarks' only server (PacedServer is a process that
 * runs a {@link Responder} on it, not a second server), kept because JMH needs what a scripted fake does
 * not give: (1) the benchmark thread writes the next bytes at the instant it measures from
 * ({@link Exchange} hands the connection to the benchmark, e.g. write a token then time its arrival;
 * the fake writes on its own scheduler, from a script fixed before the request); (2) pre-encoded bytes
 * written as-is, including tokens stamped with {@code System.nanoTime()} at the write, with no per-token
 * encoding or allocation on the server side that would show in the client's numbers; (3) the server
 * thread's CPU time ({@link #serverCpuNanos()}), subtracted from the client's cost; (4) the instant a
 * client's close is seen ({@link Exchange#closedAtNanos()}), for cancel latency. Correctness against the
 * Groq wire format is the fake's job and is tested there; this server is never used by a test of
 * library behaviour.
 */
public final class LoopbackServer implements AutoCloseable {

  /** Answers requests; called on the server thread, must not block. */
  @FunctionalInterface
  public interface Responder {
    /**
     * A request arrived.
     *
     * @param exchange where to write the response
     */
    void respond(Exchange exchange);
  }

  private static final byte[] HEADERS =
      ("HTTP/1.1 200 OK\r\n"
              + "Content-Type: text/event-stream\r\n"
              + "Cache-Control: no-cache\r\n"
              + "x-request-id: req_01kh52ndshfr2azv0xe6tnv4fx\r\n"
              + "Transfer-Encoding: chunked\r\n"
              + "\r\n")
          .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final List<LoopbackServer> RUNNING = new CopyOnWriteArrayList<>();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final AtomicLong CLOSED_SERVERS_CPU = new AtomicLong();

  private final Selector selector;
  private final ServerSocketChannel serverChannel;
  private final Thread thread;
  private final Responder responder;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Timed> timers = new PriorityQueue<>();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private long timerSequence;
  private volatile boolean running = true;

  private LoopbackServer(Responder responder) throws IOException {
    this.responder = responder;
    this.selector = Selector.open();
    this.serverChannel = ServerSocketChannel.open();
    serverChannel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8192);
    serverChannel.configureBlocking(false);
    serverChannel.register(selector, SelectionKey.OP_ACCEPT);
    this.thread = new Thread(this::loop, "loopback-sse-server");
    thread.setDaemon(true);
  }

  /**
   * Starts a server on an ephemeral loopback port.
   *
   * @param responder answers every request
   * @return the running server
   * @throws IOException if the port cannot be bound
   */
  public static LoopbackServer start(Responder responder) throws IOException {
    LoopbackServer s = new LoopbackServer(responder);
    s.thread.start();
    RUNNING.add(s);
    return s;
  }

  /**
   * CPU time used by the threads of all servers of this JVM so far, closed ones included, in
   * nanoseconds.
   */
  public static long allServersCpuNanos() {
    synchronized (RUNNING) {
      long sum = CLOSED_SERVERS_CPU.get();
      for (LoopbackServer s : RUNNING) {
        sum += s.serverCpuNanos();
      }
      return sum;
    }
  }

  /** The response head every exchange starts with (200, {@code text/event-stream}, chunked). */
  public static byte[] responseHeaders() {
    return HEADERS.clone();
  }

  /** The last chunk of a chunked body. */
  public static byte[] lastChunk() {
    return LAST_CHUNK.clone();
  }

  /** The port. */
  public int port() {
    return ((InetSocketAddress) serverChannel.socket().getLocalSocketAddress()).getPort();
  }

  /** The OpenAI-compatible base URL, {@code http://127.0.0.1:PORT/openai/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/openai/v1";
  }

  /** CPU time used so far by the server thread, in nanoseconds (0 once closed). */
  public long serverCpuNanos() {
    long t = THREADS.getThreadCpuTime(thread.getId());
    return Math.max(t, 0);
  }

  /** Requests received so far. */
  public long requests() {
    return requests.get();
  }

  /** Connections accepted so far. */
  public long connections() {
    return connections.get();
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ server thread

  private void loop() {
    try {
      while (running) {
        long waitMillis = 0; // 0 = until woken
        Timed next = timers.peek();
        if (next != null) {
          long d = next.at - System.nanoTime();
          waitMillis = d <= 0 ? -1 : Math.max(1, (d + 999_999) / 1_000_000);
        }
        if (waitMillis < 0) {
          selector.selectNow();
        } else {
          selector.select(waitMillis);
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            accept();
            continue;
          }
          Conn c = (Conn) key.attachment();
          if (key.isWritable()) {
            c.flush();
          }
          if (key.isValid() && key.isReadable()) {
            c.read();
          }
        }
        Runnable task;
        while ((task = tasks.poll()) != null) {
          task.run();
        }
        long now = System.nanoTime();
        while ((next = timers.peek()) != null && next.at <= now) {
          timers.poll();
          next.task.run();
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("loopback server failed", e);
    } finally {
      synchronized (RUNNING) {
        RUNNING.remove(this);
        CLOSED_SERVERS_CPU.addAndGet(Math.max(0, THREADS.getCurrentThreadCpuTime()));
      }
      for (SelectionKey k : selector.keys()) {
        closeQuietly(k);
      }
      try {
        selector.close();
        serverChannel.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  private void accept() throws IOException {
    SocketChannel ch;
    while ((ch = serverChannel.accept()) != null) {
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
      key.attach(new Conn(ch, key));
      connections.incrementAndGet();
    }
  }

  private void schedule(long at, Runnable task) {
    if (Thread.currentThread() == thread) {
      timers.add(new Timed(at, timerSequence++, task));
    } else {
      tasks.add(() -> timers.add(new Timed(at, timerSequence++, task)));
      selector.wakeup();
    }
  }

  private static void closeQuietly(SelectionKey k) {
    try {
      k.channel().close();
    } catch (IOException ignored) {
      // closing
    }
  }

  private record Timed(long at, long sequence, Runnable task) implements Comparable<Timed> {
    @Override
    public int compareTo(Timed o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }
  }

  /** One connection; its reads happen on the server thread, its writes on any thread under its lock. */
  private final class Conn {
    private final SocketChannel channel;
    private final SelectionKey key;
    private ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private @Nullable Exchange exchange;
    private boolean processing;
    private volatile long closedAt;
    private final List<Runnable> closeListeners = new ArrayList<>();

    Conn(SocketChannel channel, SelectionKey key) {
      this.channel = channel;
      this.key = key;
    }

    void read() {
      int n;
      try {
        if (!in.hasRemaining()) {
          if (in.capacity() >= 1 << 20) {
            throw new IOException("request too large");
          }
          ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
          in.flip();
          bigger.put(in);
          in = bigger;
        }
        n = channel.read(in);
      } catch (IOException e) {
        n = -1;
      }
      if (n < 0) {
        closed();
        return;
      }
      process();
    }

    private void process() {
      processing = true;
      try {
        while (exchange == null && closedAt == 0 && parseRequest()) {
          requests.incrementAndGet();
          Exchange ex = new Exchange(this);
          exchange = ex;
          responder.respond(ex);
        }
      } finally {
        processing = false;
      }
    }

    /** Consumes one complete request from {@code in}, if there is one. */
    private boolean parseRequest() {
      byte[] a = in.array();
      int len = in.position();
      int end = RequestFraming.end(a, len);
      if (end < 0) {
        return false;
      }
      System.arraycopy(a, end, a, 0, len - end);
      in.position(len - end);
      return true;
    }

    void send(ByteBuffer b) {
      synchronized (this) {
        if (closedAt != 0) {
          return;
        }
        if (out.isEmpty()) {
          try {
            channel.write(b);
          } catch (IOException e) {
            failWrite();
            return;
          }
          if (!b.hasRemaining()) {
            return;
          }
        }
        out.add(b);
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      }
      if (Thread.currentThread() != thread) {
        selector.wakeup();
      }
    }

    void flush() {
      synchronized (this) {
        try {
          ByteBuffer b;
          while ((b = out.peek()) != null) {
            channel.write(b);
            if (b.hasRemaining()) {
              return;
            }
            out.poll();
          }
          if (key.isValid()) {
            key.interestOps(SelectionKey.OP_READ);
          }
        } catch (IOException e) {
          failWrite();
        }
      }
    }

    private void failWrite() {
      if (Thread.currentThread() == thread) {
        closed();
      } else {
        tasks.add(this::closed);
        selector.wakeup();
      }
    }

    /** On the server thread. */
    void closed() {
      if (closedAt != 0) {
        return;
      }
      closedAt = System.nanoTime();
      key.cancel();
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing
      }
      synchronized (this) {
        out.clear();
      }
      for (Runnable r : closeListeners) {
        r.run();
      }
      closeListeners.clear();
    }

    void ended(Exchange ex) {
      if (exchange == ex) {
        exchange = null;
        if (!processing) {
          process(); // a request may already be buffered
        }
      }
    }
  }

  /**
   * One request and its response. {@link #send} may be called from any thread; the other methods on the
   * server thread (inside {@link Responder#respond} or a scheduled task) unless stated.
   */
  public final class Exchange {
    private final Conn conn;
    private boolean ended;

    private Exchange(Conn conn) {
      this.conn = conn;
    }

    /**
     * Writes bytes (already framed: response head, HTTP chunks). Thread-safe; the array must not change
     * afterwards.
     *
     * @param bytes the bytes
     */
    public void send(byte[] bytes) {
      conn.send(ByteBuffer.wrap(bytes));
    }

    /** Ends the response (the caller has sent the last chunk); the connection serves the next request. */
    public void end() {
      if (Thread.currentThread() != thread) {
        tasks.add(this::end);
        selector.wakeup();
        return;
      }
      if (!ended) {
        ended = true;
        conn.ended(this);
      }
    }

    /**
     * Runs {@code task} on the server thread at {@code atNanos} ({@link System#nanoTime()} scale), with
     * about a millisecond of precision. Thread-safe.
     *
     * @param atNanos when
     * @param task what
     */
    public void scheduleAt(long atNanos, Runnable task) {
      schedule(atNanos, task);
    }

    /** Whether the client closed the connection. Thread-safe. */
    public boolean isClosed() {
      return conn.closedAt != 0;
    }

    /** When the server saw the connection closed ({@link System#nanoTime()}), or 0. Thread-safe. */
    public long closedAtNanos() {
      return conn.closedAt;
    }

    /**
     * Runs {@code listener} on the server thread when the connection closes.
     *
     * @param listener the listener
     */
    public void onClose(Runnable listener) {
      if (conn.closedAt != 0) {
        listener.run();
      } else {
        conn.closeListeners.add(listener);
      }
    }
  }
}
