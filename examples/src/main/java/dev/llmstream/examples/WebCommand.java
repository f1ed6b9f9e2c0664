package dev.llmstream.examples;

import dev.llmstream.examples.web.WebChatServer;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.redis.RedisRunStore;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.micrometer.BrowserMetrics;
import dev.llmstream.micrometer.LlmStreamMetrics;
import dev.llmstream.micrometer.RelayMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/** {@code web}: the browser chat on {@code http://localhost:8080}. Runs until Ctrl-C. */
final class WebCommand {
  private WebCommand() {}

  static int run(List<String> argv, PrintStream out) throws Exception {
    Args args =
        new Args(
            argv,
            Set.of("--port", "--host", "--base-url", "--api-key", "--model", "--redis"),
            Set.of("--allow-insecure-http"));
    int port = args.intValue("--port", 8080, 0);
    String host = args.get("--host") == null ? "127.0.0.1" : args.get("--host");
    // Every answer is measured (OpenTelemetry GenAI names via Micrometer) and served at GET /metrics.
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    LlmStreamMetrics metrics = LlmStreamMetrics.builder(prometheus).build();
    Endpoint endpoint =
        Endpoint.open(args.get("--base-url"), args.get("--api-key"), args.get("--model"),
            args.has("--allow-insecure-http"), provider -> provider.listener(metrics));
    @Nullable RedisRunStore store = null;
    WebChatServer server;
    try {
      AnswerRuns runs;
      if (args.get("--redis") != null) { // runs shared by every instance on this Redis: follow, stop, take over
        // lease renewals and timers on a thread of their own, not the common pool readers' work can starve
        StreamScheduler timers = StreamScheduler.of(Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "web-timers");
          t.setDaemon(true);
          return t;
        }));
        store = RedisRunStore.builder(args.get("--redis")).scheduler(timers).build();
        runs = AnswerRuns.builder(endpoint.provider()).store(store).scheduler(timers)
            .lease(Duration.ofSeconds(3)).build();
        store.watchLeases(runs, Duration.ofMillis(500));
      } else {
        runs = AnswerRuns.builder(endpoint.provider()).build();
      }
      RelayMetrics.bind(runs, prometheus); // llmstream.relay.readers / .coalesced from the relay's counters
      server = WebChatServer.start(host, port, runs, endpoint.description());
    } catch (java.io.IOException e) {
      closeQuietly(store);
      endpoint.close();
      throw new IllegalArgumentException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(store);
      endpoint.close();
      throw e;
    }
    server.browserMetrics(BrowserMetrics.register(prometheus)); // what the page reports: display lag, long frames
    server.route("/metrics", exchange -> MetricsEndpoint.serve(exchange, prometheus));
    RedisRunStore shared = store;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  closeQuietly(shared);
                  endpoint.close();
                  stopped.countDown();
                },
                "web-shutdown"));
    out.println("Chat running at " + server.url() + "  (answers from " + endpoint.description() + ")"
        + (shared == null ? "" : "  (runs shared through Redis)"));
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return -1; // the JVM is already exiting
  }

  private static void closeQuietly(@Nullable RedisRunStore store) {
    if (store != null) {
      store.close();
    }
  }
}
