package dev.llmstream.testkit;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link FakeGroqServer} as a process, the embedded default endpoint of the examples:
 *
 * <pre>
 * java -jar streaming-testkit/target/streaming-testkit-0.1.0-SNAPSHOT-server.jar --port 8090
 * base-url: http://127.0.0.1:8090/openai/v1
 * </pre>
 *
 * <p>On start it prints exactly one line to standard output, {@code base-url: <url>}, for scripts to
 * parse; everything else goes to the log (standard error): one line when each request arrives and one
 * when its response ends, saying how ({@code COMPLETED}, {@code CLOSED_BY_CLIENT} for a Stop ...). The
 * same record is served as JSON at {@code GET /_testkit/connections} (see {@link FakeGroqServer}). It
 * runs until killed. See {@link #usage()} for the flags.
 *
 * <p>Stateless; {@link #start(String[], PrintStream)} may be called from tests.
 */
public final class FakeGroqServerMain {
  private static final Logger LOG = LoggerFactory.getLogger(FakeGroqServerMain.class);

  private FakeGroqServerMain() {
    throw new AssertionError("no instances");
  }

  /**
   * Starts the server, prints the base URL and waits until the process is stopped. Exits with status 2
   * and the usage on bad flags; prints the usage for {@code --help}.
   *
   * @param args the flags, see {@link #usage()}
   */
  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println(usage());
      return;
    }
    FakeGroqServer server;
    try {
      server = start(args, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "fake-groq-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
  }

  /**
   * Parses the flags, starts a server and prints {@code base-url: <url>} (one line) to {@code out}.
   *
   * @param args the flags, see {@link #usage()}
   * @param out where the base-url line goes
   * @return the started server; the caller closes it
   * @throws IllegalArgumentException on a bad or unknown flag, naming it
   */
  public static FakeGroqServer start(String[] args, PrintStream out) {
    return start(args, out, LOG::info);
  }

  /**
   * As {@link #start(String[], PrintStream)}, with the exchange log going to {@code exchangeLog} instead
   * of the logger (for tests).
   *
   * @param args the flags, see {@link #usage()}
   * @param out where the base-url line goes
   * @param exchangeLog receives one line per request and one per ended response
   * @return the started server; the caller closes it
   * @throws IllegalArgumentException on a bad or unknown flag, naming it
   */
  public static FakeGroqServer start(String[] args, PrintStream out, Consumer<String> exchangeLog) {
    String host = "127.0.0.1";
    int port = 0;
    SimulatedModel.Builder model = SimulatedModel.builder();
    Double ttftMs = null;
    Double tps = null;
    Double jitter = null;
    Long seed = null;
    int[] burst = null;
    @Nullable String fault = null;
    int faultRequests = Integer.MAX_VALUE;
    @Nullable Path replay = null;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      switch (flag) {
        case "--host": host = value(args, ++i, flag); break;
        case "--port": port = parseInt(value(args, ++i, flag), flag, 0, 65535); break;
        case "--ttft-ms": ttftMs = parseDouble(value(args, ++i, flag), flag, 0, 3_600_000); break;
        case "--tokens-per-second": tps = parseDouble(value(args, ++i, flag), flag, 0, 1_000_000); break;
        case "--jitter": jitter = parseDouble(value(args, ++i, flag), flag, 0, 1); break;
        case "--seed": seed = parseLong(value(args, ++i, flag), flag); break;
        case "--bursts": {
          String v = value(args, ++i, flag);
          String[] parts = v.split(":");
          if (parts.length != 2) {
            throw new IllegalArgumentException("--bursts expects CHUNKS:PAUSE_MS, was " + v);
          }
          burst = new int[] {parseInt(parts[0], flag, 1, 1_000_000), parseInt(parts[1], flag, 0, 3_600_000)};
          break;
        }
        case "--fault": fault = value(args, ++i, flag); break;
        case "--fault-requests": faultRequests = parseInt(value(args, ++i, flag), flag, 1, Integer.MAX_VALUE); break;
        case "--replay": {
          replay = Path.of(value(args, ++i, flag));
          if (!Files.isReadable(replay)) {
            throw new IllegalArgumentException("--replay: cannot read " + replay);
          }
          break;
        }
        default:
          throw new IllegalArgumentException("unknown flag: " + flag);
      }
    }
    if (seed != null) {
      model.seed(seed);
    }
    if (ttftMs != null) {
      model.timeToFirstToken(Duration.ofNanos(Math.round(ttftMs * 1e6)));
    }
    if (tps != null) {
      model.tokensPerSecond(tps);
    }
    if (jitter != null) {
      model.jitter(jitter);
    }
    if (burst != null) {
      model.bursts(burst[0], Duration.ofMillis(burst[1]));
    }
    SimulatedModel simulated = model.build();
    UnaryOperator<ResponseScript.Builder> faultOp = fault == null ? b -> b : parseFault(fault);
    ResponseScript replayScript = replay == null ? null : ResponseScript.replay(replay);
    Duration ttft = Duration.ofNanos(Math.round((ttftMs == null ? 0 : ttftMs) * 1e6));
    double rate = tps == null ? 0 : tps;
    double jit = jitter == null ? 0 : jitter;
    int faulty = faultRequests;
    Long replaySeed = seed;
    Function<RecordedRequest, ResponseScript> dispatcher = req -> {
      ResponseScript.Builder b = replayScript != null
          ? replayScript.toBuilder().timeToFirstToken(ttft).tokensPerSecond(rate).jitter(jit)
          : simulated.script(req).toBuilder();
      if (replayScript != null && replaySeed != null) {
        b.seed(replaySeed + req.index());
      }
      return (req.index() < faulty ? faultOp.apply(b) : b).build();
    };
    FakeGroqServer server = FakeGroqServer.builder().host(host).port(port).logExchanges(exchangeLog)
        .dispatcher(dispatcher).build().start();
    out.println("base-url: " + server.baseUrl());
    out.flush();
    LOG.info("fake Groq server ready at {}; exchanges at GET {} ({}{}{})", server.baseUrl(),
        server.baseUrl().replace("/openai/v1", "") + "/_testkit/connections",
        replay != null ? "replaying " + replay : simulated.toString(),
        fault != null ? ", fault " + fault : "", faultRequests != Integer.MAX_VALUE ? " on the first "
            + faultRequests + " request(s)" : "");
    return server;
  }

  /**
   * The command-line help.
   *
   * @return the usage text
   */
  public static String usage() {
    return String.join("\n", List.of(
        "usage: java -jar streaming-testkit-<version>-server.jar [flags]",
        "Starts a fake Groq endpoint (POST /openai/v1/chat/completions) that streams a simulated answer",
        "to any prompt, and prints one line: base-url: http://HOST:PORT/openai/v1",
        "Logs each exchange (request summary, how the connection ended) to standard error and lists them",
        "as JSON at GET http://HOST:PORT/_testkit/connections",
        "",
        "  --host H                 bind address (default 127.0.0.1)",
        "  --port N                 port, 0 = a free port (default 0)",
        "  --ttft-ms MS             time to first token (default 250 simulated, 0 replay)",
        "  --tokens-per-second R    tokens per second, 0 = unpaced (default 250 simulated, 0 replay)",
        "  --jitter F               gap jitter 0..1 (default 0.3 simulated, 0 replay)",
        "  --bursts N:MS            N chunks per burst, then a pause of MS milliseconds",
        "  --seed S                 seed for answers, ids and jitter (default 0)",
        "  --fault F                inject a fault into every answer; F is one of",
        "                           status=CODE (429, 401, 500, 503, 498, ...), disconnect-after=N,",
        "                           stall-after=N, malformed-at=N, error-event-at=N (N counts SSE events)",
        "  --fault-requests K       only the first K requests get the fault (test recovery)",
        "  --replay FILE            serve this recorded .sse transcript to every request",
        "  --help                   this text"));
  }

  private static UnaryOperator<ResponseScript.Builder> parseFault(String fault) {
    int eq = fault.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException("--fault expects NAME=VALUE, was " + fault);
    }
    String name = fault.substring(0, eq).toLowerCase(Locale.ROOT);
    String v = fault.substring(eq + 1);
    switch (name) {
      case "status": {
        int status = parseInt(v, "--fault status", 400, 599);
        return b -> b.status(status);
      }
      case "disconnect-after": {
        int n = parseInt(v, "--fault disconnect-after", 0, Integer.MAX_VALUE);
        return b -> b.disconnectAfter(n);
      }
      case "stall-after": {
        int n = parseInt(v, "--fault stall-after", 0, Integer.MAX_VALUE);
        return b -> b.stallAfter(n);
      }
      case "malformed-at": {
        int n = parseInt(v, "--fault malformed-at", 1, Integer.MAX_VALUE);
        return b -> b.malformedAt(n);
      }
      case "error-event-at": {
        int n = parseInt(v, "--fault error-event-at", 1, Integer.MAX_VALUE);
        return b -> b.errorEventAt(n);
      }
      default:
        throw new IllegalArgumentException("--fault: unknown fault " + name
            + " (status, disconnect-after, stall-after, malformed-at, error-event-at)");
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static int parseInt(String v, String flag, int min, int max) {
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min || n > max) {
        throw new IllegalArgumentException(flag + " must be within " + min + ".." + max + ", was " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " expects a whole number, was " + v, e);
    }
  }

  private static long parseLong(String v, String flag) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " expects a whole number, was " + v, e);
    }
  }

  private static double parseDouble(String v, String flag, double min, double max) {
    try {
      double d = Double.parseDouble(v.trim());
      if (!(d >= min && d <= max)) {
        throw new IllegalArgumentException(flag + " must be within " + min + ".." + max + ", was " + v);
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " expects a number, was " + v, e);
    }
  }
}
