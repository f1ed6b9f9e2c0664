package dev.llmstream.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmstream.benchmarks.harness.GroqChunks;
import dev.llmstream.benchmarks.harness.LoopbackServer;
import dev.llmstream.benchmarks.harness.MarkdownAnswer;
import dev.llmstream.benchmarks.harness.WebDriverClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The browser side of a long answer, measured in headless Chromium: the {@code web} example (run from
 * its jar, as a user runs it) answers from a loopback OpenAI-compatible upstream that streams a
 * synthetic Markdown answer at a fixed rate of chunks per second; the page follows it with
 * {@code llmstream.js} and renders it with {@code markdown.js}. Not a JMH benchmark: one long scenario
 * per answer size, observed from inside the page.
 *
 * <p>Per answer: long tasks (a {@code PerformanceObserver} of type {@code longtask}: count, the main
 * thread's blocked time = the sum of each task's time past 50 ms, the longest), frame gaps (a
 * {@code requestAnimationFrame} loop: p50/p99/max between consecutive frames), and arrival-to-paint
 * (llmstream.js's measurement hook: from the arrival of the oldest event of a frame's batch to the end of
 * that frame's delivery, after which the browser paints) — all within the window from the first event
 * to the answer's end. It also checks that the page shows the whole answer: the final DOM equals a full
 * render of the text. And it reports the CPU time all of Chromium's processes used from the request to
 * the end, a figure that other load on the machine hardly moves (the wall-clock ones above it does).
 *
 * <pre>
 * mvn -B -q -pl examples,benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.llmstream.benchmarks.BrowserRenderBenchmark \
 *     examples/target/streaming-examples.jar 10000,100000,1000000 1000
 * </pre>
 */
public final class BrowserRenderBenchmark {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private static final String INSTRUMENT = """
      const B = window.__bench = { long: [], gaps: [], paints: [], t0: 0, t1: 0, stop: false };
      new PerformanceObserver((l) => { for (const e of l.getEntries()) B.long.push([e.startTime, e.duration]); })
          .observe({ type: "longtask" });
      let last = 0;
      const loop = (t) => { if (last) B.gaps.push([t, t - last]); last = t; if (!B.stop) requestAnimationFrame(loop); };
      requestAnimationFrame(loop);
      LlmStream.onPaint = (arrived, painted) => { if (!B.t0) B.t0 = arrived; B.paints.push(painted - arrived); };
      new MutationObserver(() => {
        const all = document.querySelectorAll(".msg.assistant");
        const s = all.length ? all[all.length - 1].getAttribute("data-state") : "";
        if (!B.t1 && (s === "completed" || s === "failed" || s === "stopped")) { B.t1 = performance.now(); B.stop = true; B.state = s; }
      }).observe(document.getElementById("conversation"), { subtree: true, attributes: true, attributeFilter: ["data-state"] });
      document.getElementById("prompt").value = "a long answer, please";
      document.getElementById("composer").requestSubmit();
      """;

  private static final String RESULTS = """
      const B = window.__bench, text = arguments[0], done = arguments[arguments.length - 1];
      const inWindow = (t) => t >= B.t0 && t <= B.t1;
      const sorted = (a) => a.slice().sort((x, y) => x - y);
      const pct = (a, p) => a.length ? a[Math.min(a.length - 1, Math.max(0, Math.ceil(p / 100 * a.length) - 1))] : -1;
      const gaps = sorted(B.gaps.filter(([t]) => inWindow(t)).map((g) => g[1]));
      const longs = B.long.filter(([s, d]) => s + d >= B.t0 && s <= B.t1).map((l) => l[1]);
      const paints = sorted(B.paints);
      const answers = document.querySelectorAll(".msg.assistant .answer");
      const el = answers[answers.length - 1];
      import("/markdown.js").then((m) => {
        const ref = document.createElement("div");
        m.renderMarkdown(ref, text);
        done({ state: B.state, chars: el.textContent.length, fullRenderEqual: ref.innerHTML === el.innerHTML,
          streamMs: B.t1 - B.t0, longTasks: longs.length, blockedMs: longs.reduce((s, d) => s + Math.max(0, d - 50), 0),
          longestTaskMs: longs.length ? Math.max(...longs) : 0, frames: gaps.length,
          gapP50: pct(gaps, 50), gapP99: pct(gaps, 99), gapMax: pct(gaps, 100),
          deliveries: paints.length, paintP50: pct(paints, 50), paintP99: pct(paints, 99), paintMax: pct(paints, 100),
          domElements: el.getElementsByTagName("*").length });
      });
      """;

  private BrowserRenderBenchmark() {
    throw new AssertionError("no instances");
  }

  /**
   * Runs the benchmark.
   *
   * @param args the examples jar, comma-separated answer sizes in characters, chunks per second
   * @throws Exception if a part cannot be started or the answer does not finish
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: BrowserRenderBenchmark EXAMPLES_JAR SIZES(e.g. 10000,100000) CHUNKS_PER_SECOND");
      System.exit(2);
    }
    Path jar = Path.of(args[0]);
    if (!Files.isRegularFile(jar)) {
      throw new IOException("no examples jar at " + jar + ": build it with mvn -pl examples -am package -DskipTests");
    }
    int rate = Integer.parseInt(args[2]);
    List<String> rows = new ArrayList<>();
    for (String size : args[1].split(",")) {
      int chars = Integer.parseInt(size.trim());
      String text = MarkdownAnswer.text(chars, chars);
      List<String> chunks = MarkdownAnswer.chunks(text, chars);
      rows.add(runOne(jar, text, chunks, rate));
    }
    System.out.println();
    System.out.println("| answer (chars / chunks) | long tasks | blocked | longest task | frame gap p50 / p99 / max"
        + " | arrival→paint p50 / p99 / max | deliveries | streamed in | browser CPU (of one core) | whole text shown |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    rows.forEach(System.out::println);
  }

  private static String runOne(Path jar, String text, List<String> chunks, int rate) throws Exception {
    byte[][] events = new byte[chunks.size()][];
    for (int i = 0; i < events.length; i++) {
      events[i] = GroqChunks.http(GroqChunks.sseContent(chunks.get(i)));
    }
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    try (LoopbackServer upstream = LoopbackServer.start(ex -> paced(ex, events, interval));
        WebApp web = WebApp.start(jar, upstream.baseUrl());
        WebDriverClient browser = WebDriverClient.start(CHROMEDRIVER, CHROMIUM)) {
      browser.navigate(web.url);
      while (browser.execute("return document.getElementById('endpoint').textContent;").asText().isEmpty()) {
        Thread.sleep(100); // the page is still loading its conversation
      }
      Duration cpuBefore = browser.browserCpu();
      browser.execute(INSTRUMENT);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(chunks.size() / rate + 180);
      while (!browser.execute("return window.__bench.t1 > 0;").asBoolean()) {
        if (System.nanoTime() > deadline) {
          throw new IOException("the answer did not end in time");
        }
        Thread.sleep(500);
      }
      Duration cpu = browser.browserCpu().minus(cpuBefore);
      JsonNode r = browser.executeAsync(RESULTS, text);
      double streamSeconds = r.path("streamMs").asDouble() / 1000;
      System.out.println("[browser] " + text.length() + " chars: " + r + " browserCpuMs=" + cpu.toMillis());
      return String.format(Locale.ROOT,
          "| %,d / %,d | %d | %.0f ms | %.0f ms | %.1f / %.1f / %.1f ms | %.1f / %.1f / %.1f ms | %,d | %.1f s | %.1f s (%.0f %%) | %s |",
          text.length(), chunks.size(), r.path("longTasks").asInt(), r.path("blockedMs").asDouble(),
          r.path("longestTaskMs").asDouble(), r.path("gapP50").asDouble(), r.path("gapP99").asDouble(),
          r.path("gapMax").asDouble(), r.path("paintP50").asDouble(), r.path("paintP99").asDouble(),
          r.path("paintMax").asDouble(), r.path("deliveries").asInt(), streamSeconds,
          cpu.toMillis() / 1000.0, 100.0 * cpu.toMillis() / 1000.0 / streamSeconds,
          r.path("fullRenderEqual").asBoolean() && r.path("chars").asInt() > 0 ? "yes (" + r.path("state").asText() + ")" : "NO");
    }
  }

  /** Writes the response head and the role chunk, then one content chunk per interval, then the tail. */
  private static void paced(LoopbackServer.Exchange ex, byte[][] events, long interval) {
    ex.send(GroqChunks.httpHeadAndRole());
    long start = System.nanoTime();
    ex.scheduleAt(start, () -> tick(ex, events, interval, start, 0));
  }

  private static void tick(LoopbackServer.Exchange ex, byte[][] events, long interval, long start, int next) {
    if (ex.isClosed()) {
      return;
    }
    int due = (int) Math.min(events.length, (System.nanoTime() - start) / interval + 1);
    int i = next;
    for (; i < due; i++) {
      ex.send(events[i]);
    }
    if (i == events.length) {
      ex.send(GroqChunks.httpTail());
      ex.end();
      return;
    }
    int from = i;
    ex.scheduleAt(start + (long) i * interval, () -> tick(ex, events, interval, start, from));
  }

  /** The web example as a child process, on a free port, answering from {@code baseUrl}. */
  private static final class WebApp implements AutoCloseable {
    final Process process;
    final String url;

    private WebApp(Process process, String url) {
      this.process = process;
      this.url = url;
    }

    static WebApp start(Path jar, String baseUrl) throws IOException, InterruptedException {
      int port = WebDriverClient.freePort();
      String java = ProcessHandle.current().info().command().orElse("java");
      Process p = new ProcessBuilder(java, "-jar", jar.toString(), "web", "--port", Integer.toString(port),
          "--base-url", baseUrl, "--api-key", "bench-key", "--model", "bench-model")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      WebApp app = new WebApp(p, "http://127.0.0.1:" + port + "/");
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < 300; i++) {
        try {
          HttpResponse<Void> res = http.send(HttpRequest.newBuilder(URI.create(app.url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding());
          if (res.statusCode() == 200) {
            return app;
          }
        } catch (IOException e) {
          // not listening yet
        }
        if (!p.isAlive()) {
          throw new IOException("the web example exited with " + p.exitValue());
        }
        Thread.sleep(100);
      }
      app.close();
      throw new IOException("the web example did not answer on " + app.url);
    }

    @Override
    public void close() {
      process.destroy();
    }
  }
}
