package dev.llmstream.benchmarks.plain;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.benchmarks.harness.GroqChunks;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.groq.internal.ChunkDecoder;
import dev.llmstream.groq.internal.JsonSupport;
import dev.llmstream.groq.internal.SseScanner;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Locale;

/**
 * The in-memory parse path (issue #17 goal 2) timed by the measuring thread's own CPU time instead of wall
 * time: Groq SSE bytes → {@link SseScanner} → {@link ChunkDecoder} → events, as {@code
 * ParseBenchmark.parseAndMap} does, in rounds that alternate the decoder's fast path and Jackson. On a
 * machine shared with other work, wall-clock throughput (JMH's score) moves with the neighbours' load;
 * a thread's CPU time moves far less, so tokens per CPU-second compares the two paths, and two builds, on
 * a busy machine. It is not a replacement for JMH on a quiet one (no forks, no blackhole; the events
 * are counted and dropped).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.llmstream.benchmarks.plain.ParseCpu [--rounds 20] [--seconds 1]
 *     [--buffers array|readonly]
 * </pre>
 *
 * <p>{@code --buffers readonly} feeds read-only 16 KiB buffers, what {@code java.net.http} hands the
 * provider on every network read; {@code array} feeds heap arrays (ParseBenchmark's path).
 */
public final class ParseCpu {
  private static final int TOKENS = 1_000;
  private static final int SLICE = 16 * 1024;

  private ParseCpu() {}

  /**
   * Runs the rounds and prints tokens per CPU-second per path (median, min, max).
   *
   * @param args see the class doc
   */
  public static void main(String[] args) {
    int rounds = 20;
    double seconds = 1;
    boolean readOnly = false;
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(value);
        case "--seconds" -> seconds = Double.parseDouble(value);
        case "--buffers" -> readOnly = value.equals("readonly");
        default -> {
          System.err.println("usage: ParseCpu [--rounds N] [--seconds S] [--buffers array|readonly]");
          System.exit(2);
        }
      }
    }
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    ObjectMapper mapper = JsonSupport.newMapper();
    byte[] answer = GroqChunks.sseAnswer(TOKENS);
    double[] fast = new double[rounds];
    double[] jackson = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      fast[r] = round(cpu, mapper, answer, true, readOnly, seconds);
      jackson[r] = round(cpu, mapper, answer, false, readOnly, seconds);
    }
    System.out.printf(Locale.ROOT, "buffers=%s rounds=%d (first quarter dropped as warm-up), tokens per CPU-second:%n",
        readOnly ? "readonly" : "array", rounds);
    report("fast", fast);
    report("jackson", jackson);
  }

  private static void report(String name, double[] perRound) {
    double[] steady = Arrays.copyOfRange(perRound, perRound.length / 4, perRound.length);
    Arrays.sort(steady);
    System.out.printf(Locale.ROOT, "%-8s median %,12.0f  min %,12.0f  max %,12.0f%n",
        name, steady[steady.length / 2], steady[0], steady[steady.length - 1]);
  }

  /** Parses whole answers for about {@code seconds} of CPU; returns tokens per CPU-second. */
  private static double round(ThreadMXBean cpu, ObjectMapper mapper, byte[] answer, boolean fastPath,
      boolean readOnly, double seconds) {
    long budget = (long) (seconds * 1e9);
    long start = cpu.getCurrentThreadCpuTime();
    long tokens = 0;
    ArrayList<StreamEvent> events = new ArrayList<>();
    while (cpu.getCurrentThreadCpuTime() - start < budget) {
      for (int k = 0; k < 20; k++) {
        tokens += parse(mapper, answer, fastPath, readOnly, events);
      }
    }
    return tokens * 1e9 / (cpu.getCurrentThreadCpuTime() - start);
  }

  private static int parse(ObjectMapper mapper, byte[] a, boolean fastPath, boolean readOnly,
      ArrayList<StreamEvent> events) {
    SseScanner scanner = new SseScanner(1024 * 1024);
    ChunkDecoder decoder = new ChunkDecoder(mapper, 200, "req_bench", Integer.MAX_VALUE, Integer.MAX_VALUE, fastPath);
    SseScanner.Listener listener = (type, data, length) -> decoder.onEvent(type, data, length, events);
    int count = 0;
    for (int from = 0; from < a.length && !decoder.isDone(); from += SLICE) {
      int to = Math.min(a.length, from + SLICE);
      if (readOnly) {
        scanner.feed(ByteBuffer.wrap(a, from, to - from).asReadOnlyBuffer(), listener);
      } else {
        scanner.scan(a, from, to, listener);
      }
      count += events.size();
      events.clear();
    }
    decoder.close();
    if (count != TOKENS + 1) { // the tokens, then the finish (carrying the usage)
      throw new IllegalStateException("expected " + (TOKENS + 1) + " events, got " + count);
    }
    return TOKENS;
  }
}
