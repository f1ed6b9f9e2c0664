package dev.llmstream.benchmarks.harness;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A paced Groq-like upstream in its own JVM, for the concurrency benchmark: every request gets the
 * response head and the role chunk at once, then {@code tokens} content chunks at {@code rate} tokens/s
 * (each stream with a random phase), then the final chunk and {@code [DONE]}. Each content token is the
 * server's {@link System#nanoTime()} at the write (19 digits; {@code CLOCK_MONOTONIC} is shared by the
 * processes of one machine), so the client measures delivery lag per token without any bookkeeping.
 *
 * <p>Running it in a separate process keeps its heap, threads and CPU out of the client's numbers. The
 * parent reads {@code port=N} from its stdout; writing {@code stats} to its stdin returns one line
 * {@code lateness p50 p99 max (ns) writes}: how late the server wrote tokens against their schedule. The
 * process exits when its stdin closes.
 */
public final class PacedServer {
  private final int tokens;
  private final long intervalNanos;
  private final byte[] headAndRole = GroqChunks.httpHeadAndRole();
  private final byte[] template = GroqChunks.timestampTemplate();
  private final int stampOffset = GroqChunks.stampOffset(template);
  private final byte[] tail = GroqChunks.httpTail();
  private final LongSamples lateness = new LongSamples(1 << 22);

  private PacedServer(int tokens, int rate) {
    this.tokens = tokens;
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
  }

  /**
   * Runs the server.
   *
   * @param args tokens per stream, tokens per second
   * @throws IOException if the port cannot be bound
   */
  public static void main(String[] args) throws IOException {
    PacedServer paced = new PacedServer(Integer.parseInt(args[0]), Integer.parseInt(args[1]));
    try (LoopbackServer server = LoopbackServer.start(paced::respond);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))) {
      out.write("port=" + server.port() + "\n");
      out.flush();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("stats")) {
          long[] s = paced.lateness.sorted();
          out.write(
              (long) LongSamples.percentile(s, 50) + " " + (long) LongSamples.percentile(s, 99) + " "
                  + (long) LongSamples.percentile(s, 100) + " " + s.length + " " + server.serverCpuNanos() + "\n");
          out.flush();
          paced.lateness.clear();
        }
      }
    }
  }

  private void respond(LoopbackServer.Exchange ex) {
    ex.send(headAndRole);
    long first = System.nanoTime() + ThreadLocalRandom.current().nextLong(intervalNanos);
    ex.scheduleAt(first, () -> tick(ex, 0, first));
  }

  private void tick(LoopbackServer.Exchange ex, int i, long scheduledAt) {
    if (ex.isClosed()) {
      return;
    }
    if (i == tokens) {
      ex.send(tail);
      ex.end();
      return;
    }
    byte[] chunk = template.clone();
    long now = System.nanoTime();
    lateness.add(now - scheduledAt);
    GroqChunks.stamp(chunk, stampOffset, now);
    ex.send(chunk);
    long next = scheduledAt + intervalNanos;
    ex.scheduleAt(next, () -> tick(ex, i + 1, next));
  }

  /** A {@link PacedServer} running in a child JVM. */
  public static final class Process implements AutoCloseable {
    private final java.lang.Process process;
    private final BufferedReader out;
    private final BufferedWriter in;
    private final int port;

    /**
     * Starts the child JVM with this JVM's class path and waits for its port.
     *
     * @param tokens tokens per stream
     * @param rate tokens per second per stream
     * @throws IOException if it cannot be started
     */
    public Process(int tokens, int rate) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.add("-Xmx512m");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(PacedServer.class.getName());
      cmd.add(Integer.toString(tokens));
      cmd.add(Integer.toString(rate));
      this.process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.startsWith("port=")) {
        process.destroy();
        throw new IOException("the paced server did not start: " + line);
      }
      this.port = Integer.parseInt(line.substring(5));
    }

    /** The OpenAI-compatible base URL. */
    public String baseUrl() {
      return "http://127.0.0.1:" + port + "/openai/v1";
    }

    /**
     * The server's lateness since the last call: p50, p99, max (ns), writes, server-thread CPU (ns).
     *
     * @return five numbers
     * @throws IOException if the child is gone
     */
    public long[] stats() throws IOException {
      in.write("stats\n");
      in.flush();
      String line = out.readLine();
      if (line == null) {
        throw new IOException("the paced server is gone");
      }
      String[] p = line.trim().split(" ");
      long[] v = new long[p.length];
      for (int i = 0; i < p.length; i++) {
        v[i] = Long.parseLong(p[i]);
      }
      return v;
    }

    /** CPU time the child process used so far, in ns. */
    public long cpuNanos() {
      return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos()).orElse(-1L);
    }

    @Override
    public void close() {
      try {
        in.close();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroy();
        }
      } catch (IOException e) {
        process.destroy();
      } catch (InterruptedException e) {
        process.destroy();
        Thread.currentThread().interrupt();
      }
    }
  }
}
