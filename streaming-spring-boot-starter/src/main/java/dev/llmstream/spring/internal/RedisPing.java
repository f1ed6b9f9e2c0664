package dev.llmstream.spring.internal;

import dev.llmstream.spring.actuate.RunStoreProbe;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.RedisCommandTimeoutException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The Redis store's health probe: {@code PING} on a connection of its own (one, opened at the first probe
 * and again after it broke; no automatic reconnect, so a probe never waits behind a reconnect loop),
 * bounded by the timeout. The store's own connections are not used: a {@code PING} queued behind a
 * reader's blocked read or a burst of producer writes would report load, not reachability. The result
 * names host and port only, never the URI's password. Thread-safe: probes are serialized by a lock that
 * guards only the connection (no user code runs under it).
 */
public final class RedisPing implements RunStoreProbe, AutoCloseable {
  private final RedisURI uri;
  private final Duration timeout;
  private final String target;
  private @Nullable ClientResources resources; // guarded by this
  private @Nullable RedisClient client; // guarded by this
  private @Nullable StatefulRedisConnection<String, String> connection; // guarded by this
  private boolean closed; // guarded by this

  /**
   * Creates the probe; connects at the first {@link #probe()}.
   *
   * @param url the Redis URI
   * @param timeout the longest a probe (connect included) may take
   * @throws IllegalArgumentException if the URI is not a Redis URI
   */
  public RedisPing(String url, Duration timeout) {
    this.uri = RedisURI.create(url);
    this.uri.setTimeout(timeout);
    this.timeout = timeout;
    this.target = uri.getHost() + ":" + uri.getPort();
  }

  @Override
  public synchronized Result probe() {
    if (closed) {
      return new Result("redis", target, false, "closed");
    }
    boolean reused = connection != null && connection.isOpen();
    Result r = ping();
    if (!r.reachable() && reused && !"timeout".equals(r.error())) {
      // the connection broke since the last probe (Redis restarted, say): judge by a fresh one
      r = ping();
    }
    return r;
  }

  private Result ping() {
    try {
      StatefulRedisConnection<String, String> c = connection;
      if (c == null || !c.isOpen()) {
        if (c != null) {
          c.closeAsync();
        }
        connection = null;
        c = client().connect();
        connection = c;
      }
      String pong = c.async().ping().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return "PONG".equals(pong)
          ? new Result("redis", target, true, null)
          : new Result("redis", target, false, "unexpected reply");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result("redis", target, false, "interrupted");
    } catch (TimeoutException e) {
      return new Result("redis", target, false, "timeout");
    } catch (ExecutionException | RuntimeException e) {
      StatefulRedisConnection<String, String> c = connection;
      if (c != null) {
        c.closeAsync(); // never reuse a connection a command failed on
        connection = null;
      }
      return new Result("redis", target, false, kind(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e));
    }
  }

  /**
   * The kind of a failure, from exception types (and Redis' error codes), never from messages, which may
   * carry the URI.
   */
  static String kind(Throwable e) {
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      root = t;
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host";
      }
      if (t instanceof RedisCommandTimeoutException || t instanceof TimeoutException) {
        return "timeout";
      }
      String m = t.getMessage();
      if (m != null && (m.startsWith("NOAUTH") || m.startsWith("WRONGPASS"))) {
        return "authentication failed";
      }
    }
    return e instanceof RedisConnectionException
        ? "cannot connect (" + root.getClass().getSimpleName() + ")"
        : root.getClass().getSimpleName();
  }

  private RedisClient client() {
    if (client == null) {
      resources = ClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
      client = RedisClient.create(resources, uri);
      client.setOptions(
          ClientOptions.builder()
              .autoReconnect(false)
              .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
              .timeoutOptions(TimeoutOptions.enabled(timeout))
              .build());
    }
    return client;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (connection != null) {
      connection.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (resources != null) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
