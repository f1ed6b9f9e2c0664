package dev.llmstream.benchmarks.plain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.llmstream.benchmarks.harness.LongSamples;
import dev.llmstream.benchmarks.harness.RecordingSink;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The one-stream comparison of issue #17 as a plain {@code main}, no JMH: throughput (tokens/s of one
 * 20,000-token answer) and first-token lag, for this library (default and inline delivery), openai-java
 * (blocking and async) and LangChain4j, against the JDK's {@code HttpServer} on loopback
 * ({@link PlainServer}: {@code TCP_NODELAY}, the body pre-built and written in one call).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.llmstream.benchmarks.plain.PlainHarness \
 *     [--runs 10] [--warmups 15] [--tokens 20000] [--samples 30] [--gap-ms 30] \
 *     [--clients ours,ours-inline,openai-java,openai-java-async,langchain4j] [--out result.json]
 * </pre>
 *
 * <p>One client instance per library, reused by every stream, as an application would. The clients take
 * turns stream by stream (round-robin), so the host's changing load falls on all of them alike: first
 * {@code warmups} rounds (discarded), then {@code runs} measured rounds; throughput of a run = tokens /
 * (the end's arrival in the sink − the call that starts the stream), reported as median, min and max.
 * Then the server switches to its first-token mode and {@code samples} rounds (after 2 discarded ones)
 * measure the lag from the server's write of the first content chunk ({@code System.nanoTime()} just
 * before the write, same JVM) to the token's arrival in the sink (the user's callback): p50 and p99
 * (nearest rank; with 30 samples p99 is the largest). Every run's token count is checked against the
 * tokens sent. Exit code 0, 1 if a count was wrong or a stream failed, 2 for bad flags.
 */
public final class PlainHarness {
  static final String USAGE =
      "usage: java -cp benchmarks/target/benchmarks.jar dev.llmstream.benchmarks.plain.PlainHarness"
          + " [--runs N] [--warmups N] [--tokens N] [--samples N] [--gap-ms N]"
          + " [--clients " + String.join(",", PlainClient.KNOWN) + "] [--out FILE.json]";
  private static final int DISCARDED_LAG_SAMPLES = 2;

  private final Options options;
  private final PrintStream out;
  private final Clock clock;

  private PlainHarness(Options options, PrintStream out, Clock clock) {
    this.options = options;
    this.out = out;
    this.clock = clock;
  }

  /**
   * Runs the harness and exits with its code.
   *
   * @param args the flags (see {@link #USAGE})
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, Clock.systemUTC()));
  }

  /**
   * Runs the harness.
   *
   * @return 0 if every stream delivered every token, 1 if not, 2 for bad flags
   */
  static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (options.help) {
      out.println(USAGE);
      return 0;
    }
    try {
      return new PlainHarness(options, out, clock).measure();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("interrupted");
      return 1;
    } catch (Exception e) {
      e.printStackTrace(err);
      return 1;
    }
  }

  private int measure() throws Exception {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    double loadBefore = os.getSystemLoadAverage();
    String date = clock.instant().toString();
    String commit = commit();
    List<Result> results = new ArrayList<>();
    int bodyBytes;
    try (PlainServer server = new PlainServer(options.tokens, options.gapMs)) {
      bodyBytes = server.bodyBytes();
      List<PlainClient> clients = new ArrayList<>();
      try {
        for (String name : options.clients) {
          clients.add(PlainClient.of(name, server.baseUrl()));
          results.add(new Result(name, options.runs, options.samples));
        }
        out.printf(Locale.ROOT, "plain harness: %s, %d tokens (%,d bytes), %d warm-ups, %d runs, %d first-token samples%n",
            options.clients, options.tokens, bodyBytes, options.warmups, options.runs, options.samples);
        for (int round = 0; round < options.warmups + options.runs; round++) {
          for (int c = 0; c < clients.size(); c++) {
            long t0 = System.nanoTime();
            RecordingSink sink = stream(clients.get(c));
            if (round >= options.warmups) {
              results.get(c).addRun(sink, t0, options.tokens);
            }
          }
        }
        server.mode(PlainServer.Mode.FIRST_TOKEN);
        for (int round = 0; round < DISCARDED_LAG_SAMPLES + options.samples; round++) {
          for (int c = 0; c < clients.size(); c++) {
            RecordingSink sink = stream(clients.get(c));
            if (round >= DISCARDED_LAG_SAMPLES) {
              results.get(c).addLag(sink, server.lastTokenWriteNanos());
            }
          }
        }
      } finally {
        for (PlainClient c : clients) {
          c.close();
        }
      }
    }
    double loadAfter = os.getSystemLoadAverage();
    printTable(results, loadBefore, loadAfter);
    if (options.out != null) {
      writeJson(options.out, results, date, commit, bodyBytes, loadBefore, loadAfter);
      out.println("wrote " + options.out);
    }
    boolean ok = results.stream().allMatch(r -> r.errors.isEmpty());
    if (!ok) {
      for (Result r : results) {
        r.errors.forEach(e -> out.println("ERROR " + r.name + ": " + e));
      }
    }
    return ok ? 0 : 1;
  }

  private static RecordingSink stream(PlainClient client) throws Exception {
    RecordingSink sink = new RecordingSink();
    client.streamToEnd(sink);
    return sink;
  }

  private void printTable(List<Result> results, double loadBefore, double loadAfter) {
    double bestPeer = 0;
    for (Result r : results) {
      if (PlainClient.isPeer(r.name)) {
        bestPeer = Math.max(bestPeer, r.median());
      }
    }
    out.printf(Locale.ROOT, "%n%-18s %12s %12s %12s %8s %14s %14s%n",
        "client", "tokens/s med", "min", "max", "vs peer", "1st token p50", "p99 (µs)");
    for (Result r : results) {
      String ratio = bestPeer > 0 && r.name.startsWith("ours") ? String.format(Locale.ROOT, "%.2fx", r.median() / bestPeer) : "";
      out.printf(Locale.ROOT, "%-18s %,12.0f %,12.0f %,12.0f %8s %,14.0f %,14.0f%n",
          r.name, r.median(), r.min(), r.max(), ratio, r.lagMicros(50), r.lagMicros(99));
    }
    out.printf(Locale.ROOT, "load average (1 min) before %.2f, after %.2f; %d CPUs; JDK %s%n",
        loadBefore, loadAfter, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
  }

  private void writeJson(Path file, List<Result> results, String date, String commit, int bodyBytes, double loadBefore, double loadAfter)
      throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("harness", "dev.llmstream.benchmarks.plain.PlainHarness");
    root.put("date", date);
    root.put("commit", commit);
    root.put("machine", machine(loadBefore, loadAfter));
    root.put("jdk", jdk());
    Map<String, Object> conditions = new LinkedHashMap<>();
    conditions.put("server", "com.sun.net.httpserver.HttpServer on 127.0.0.1, one handler thread");
    conditions.put(PlainServer.NODELAY, System.getProperty(PlainServer.NODELAY));
    conditions.put("tokens", options.tokens);
    conditions.put("bodyBytes", bodyBytes);
    conditions.put("body", "Groq-shaped chat.completion.chunk events (role, content x tokens, finish, [DONE]), pre-built, one write() call, chunked response");
    conditions.put("warmups", options.warmups);
    conditions.put("runs", options.runs);
    conditions.put("samples", options.samples);
    conditions.put("discardedSamples", DISCARDED_LAG_SAMPLES);
    conditions.put("gapMs", options.gapMs);
    conditions.put("order", "round-robin: each round streams once per client, in the order of 'clients'");
    conditions.put("throughput", "tokens / (end's arrival in the sink - the call starting the stream); median, min, max of the runs");
    conditions.put("firstToken", "server's System.nanoTime() just before writing the first content chunk (gapMs after the role chunk) -> the token's arrival in the sink; nearest-rank p50/p99");
    root.put("conditions", conditions);
    root.put("clients", options.clients);
    Map<String, Object> perClient = new LinkedHashMap<>();
    for (Result r : results) {
      perClient.put(r.name, r.toJson());
    }
    root.put("results", perClient);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, mapper.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
  }

  private static Map<String, Object> machine(double loadBefore, double loadAfter) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    m.put("distribution", osRelease());
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean sun) {
      m.put("memoryBytes", sun.getTotalMemorySize());
    }
    m.put("loadAverageBefore", round2(loadBefore));
    m.put("loadAverageAfter", round2(loadAfter));
    return m;
  }

  private static Map<String, Object> jdk() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", System.getProperty("java.version"));
    m.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    m.put("vendor", System.getProperty("java.vendor"));
    m.put("arguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
    return m;
  }

  private static String osRelease() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring(12).replace("\"", "");
        }
      }
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
    return "unknown";
  }

  /** {@code git describe}-like: the short commit of the working directory, "+dirty" if it has changes. */
  private static String commit() {
    String head = git("rev-parse", "--short", "HEAD");
    if (head == null) {
      return "unknown";
    }
    String status = git("status", "--porcelain", "--untracked-files=no");
    return status == null || status.isEmpty() ? head : head + "+dirty";
  }

  private static @Nullable String git(String... args) {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(Arrays.asList(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] bytes = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroy();
        return null;
      }
      return new String(bytes, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** One client's measurements. */
  private static final class Result {
    final String name;
    final double[] tokensPerSecond;
    final List<Integer> tokenCounts = new ArrayList<>();
    final LongSamples lags;
    final List<String> errors = new ArrayList<>();
    int runs;

    Result(String name, int runs, int samples) {
      this.name = name;
      this.tokensPerSecond = new double[runs];
      this.lags = new LongSamples(samples);
    }

    void addRun(RecordingSink sink, long startedAt, int expected) {
      check(sink, expected, "run " + runs);
      tokenCounts.add(sink.tokens());
      tokensPerSecond[runs++] = sink.tokens() * 1e9 / (sink.endAt() - startedAt);
    }

    void addLag(RecordingSink sink, long writtenAt) {
      check(sink, 1, "first-token sample " + lags.count());
      lags.add(sink.firstTokenAt() - writtenAt);
    }

    private void check(RecordingSink sink, int expected, String what) {
      if (sink.error() != null) {
        errors.add(what + " failed: " + sink.error());
      } else if (sink.tokens() != expected) {
        errors.add(what + " counted " + sink.tokens() + " tokens, sent " + expected);
      }
    }

    double[] sortedRates() {
      double[] s = Arrays.copyOf(tokensPerSecond, runs);
      Arrays.sort(s);
      return s;
    }

    double median() {
      double[] s = sortedRates();
      if (s.length == 0) {
        return Double.NaN;
      }
      return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    double min() {
      double[] s = sortedRates();
      return s.length == 0 ? Double.NaN : s[0];
    }

    double max() {
      double[] s = sortedRates();
      return s.length == 0 ? Double.NaN : s[s.length - 1];
    }

    double lagMicros(double percentile) {
      return LongSamples.percentile(lags.sorted(), percentile) / 1_000.0;
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("how", PlainClient.how(name));
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("median", Math.round(median()));
      t.put("min", Math.round(min()));
      t.put("max", Math.round(max()));
      t.put("runs", Arrays.stream(tokensPerSecond, 0, runs).map(Math::round).toArray());
      t.put("tokenCounts", tokenCounts);
      m.put("throughputTokensPerSecond", t);
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("p50Micros", round1(lagMicros(50)));
      f.put("p99Micros", round1(lagMicros(99)));
      f.put("samples", lags.count());
      f.put("sortedMicros", Arrays.stream(lags.sorted()).mapToDouble(v -> round1(v / 1_000.0)).toArray());
      m.put("firstToken", f);
      m.put("errors", errors);
      return m;
    }

    private static double round1(double v) {
      return Math.round(v * 10) / 10.0;
    }
  }

  /** The parsed flags. */
  private static final class Options {
    int runs = 10;
    int warmups = 15;
    int tokens = 20_000;
    int samples = 30;
    int gapMs = 30;
    List<String> clients = PlainClient.ALL;
    @Nullable Path out;
    boolean help;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        String value = null;
        int eq = flag.indexOf('=');
        if (flag.startsWith("--") && eq > 0) {
          value = flag.substring(eq + 1);
          flag = flag.substring(0, eq);
        }
        if (flag.equals("--help") || flag.equals("-h")) {
          o.help = true;
          continue;
        }
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
          }
          value = args[++i];
        }
        switch (flag) {
          case "--runs" -> o.runs = positive(flag, value, 1);
          case "--warmups" -> o.warmups = positive(flag, value, 0);
          case "--tokens" -> o.tokens = positive(flag, value, 1);
          case "--samples" -> o.samples = positive(flag, value, 1);
          case "--gap-ms" -> o.gapMs = positive(flag, value, 0);
          case "--clients" -> o.clients = clients(value);
          case "--out" -> {
            if (value.isBlank()) {
              throw new IllegalArgumentException("--out needs a file name");
            }
            o.out = Path.of(value);
          }
          default -> throw new IllegalArgumentException("unknown flag '" + flag + "'");
        }
      }
      return o;
    }

    private static int positive(String flag, String value, int min) {
      int v;
      try {
        v = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + " must be a whole number, was '" + value + "'", e);
      }
      if (v < min) {
        throw new IllegalArgumentException(flag + " must be at least " + min + ", was " + v);
      }
      return v;
    }

    private static List<String> clients(String value) {
      List<String> list = new ArrayList<>();
      for (String s : value.split(",", -1)) {
        String name = s.trim();
        if (!PlainClient.KNOWN.contains(name)) {
          throw new IllegalArgumentException("unknown client '" + name + "' (known: " + String.join(",", PlainClient.KNOWN) + ")");
        }
        if (list.contains(name)) {
          throw new IllegalArgumentException("client '" + name + "' named twice");
        }
        list.add(name);
      }
      return List.copyOf(list);
    }
  }
}
