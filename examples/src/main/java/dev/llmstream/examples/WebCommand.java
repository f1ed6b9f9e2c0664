package dev.llmstream.examples;

import dev.llmstream.examples.web.WebChatServer;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code web}: the browser chat on {@code http://localhost:8080}. Runs until Ctrl-C. */
final class WebCommand {
  private WebCommand() {}

  static int run(List<String> argv, PrintStream out) throws Exception {
    Args args =
        new Args(
            argv,
            Set.of("--port", "--host", "--base-url", "--api-key", "--model"),
            Set.of("--allow-insecure-http"));
    int port = args.intValue("--port", 8080, 0);
    String host = args.get("--host") == null ? "127.0.0.1" : args.get("--host");
    Endpoint endpoint =
        Endpoint.open(args.get("--base-url"), args.get("--api-key"), args.get("--model"), args.has("--allow-insecure-http"));
    WebChatServer server;
    try {
      server = WebChatServer.start(host, port, endpoint.provider(), endpoint.description());
    } catch (java.io.IOException e) {
      endpoint.close();
      throw new IllegalArgumentException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  endpoint.close();
                  stopped.countDown();
                },
                "web-shutdown"));
    out.println("Chat running at " + server.url() + "  (answers from " + endpoint.description() + ")");
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return -1; // the JVM is already exiting
  }
}
