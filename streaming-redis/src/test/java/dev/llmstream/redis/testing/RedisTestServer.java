package dev.llmstream.redis.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} (Debian's package) for the tests: started on a free loopback port in a
 * temporary directory with no persistence ({@code --save '' --appendonly no}) and killed afterwards.
 * Use it as a JUnit extension ({@code @RegisterExtension static final RedisTestServer REDIS = new
 * RedisTestServer();}) or directly. Fails with a clear message when the binary is absent (CI installs it).
 * {@link #kill()} and {@link #restart()} simulate a crash and a restart on the same port (data lost).
 */
public final class RedisTestServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  static final String BINARY = System.getProperty("redis.server", "/usr/bin/redis-server");

  private Process process;
  private int port;
  private Path dir;

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** Starts the server on a free port. */
  public void start() {
    if (!new File(BINARY).canExecute()) {
      throw new IllegalStateException("redis-server not found at " + BINARY + ": install it (apt-get install -y "
          + "redis-server) or pass -Dredis.server=/path/to/redis-server; the Redis tests need a real server");
    }
    try {
      dir = Files.createTempDirectory("llmstream-redis");
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch() throws IOException {
    process = new ProcessBuilder(List.of(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", dir.toString()))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try {
        new Socket("127.0.0.1", port).close();
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis-server exited at start: " + Files.readString(dir.resolve("redis.log")));
        }
        Thread.onSpinWait();
      }
    }
    throw new IllegalStateException("redis-server did not listen on port " + port + " within 20 s");
  }

  /** @return {@code redis://127.0.0.1:PORT} */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server at once (SIGKILL): no data survives. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing redis-server", e);
    }
  }

  /** Starts the server again on the same port (empty). */
  public void restart() {
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (process != null) {
      kill();
    }
  }
}
