package dev.llmstream.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The shaded examples jar's {@code web} command in a child JVM, as a user starts it: on a free port, against
 * the given upstream, without {@code GROQ_API_KEY} from the environment, stderr appended to a temp file.
 * {@link #base()} is the URL the process printed. Close it to stop the process.
 */
final class WebJar implements AutoCloseable {
  private final Process process;
  private final String base;

  private WebJar(Process process, String base) {
    this.process = process;
    this.base = base;
  }

  /**
   * Starts {@code java -jar streaming-examples.jar web --port 0 --base-url .. --api-key .. --model sim-1 [extra]}
   * and waits (60 s at most) for its "Chat running at" line.
   */
  static WebJar start(String upstreamBaseUrl, String apiKey, String logName, String... extra) throws Exception {
    Path jar = Path.of(System.getProperty("examples.jar", "target/streaming-examples.jar"));
    assertThat(jar).as("the shaded jar (mvn package)").exists();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(),
        "web", "--port", "0", "--base-url", upstreamBaseUrl, "--api-key", apiKey, "--model", "sim-1"));
    command.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("GROQ_API_KEY");
    pb.redirectError(ProcessBuilder.Redirect.appendTo(Files.createTempFile(logName, ".log").toFile()));
    Process process = pb.start();
    try {
      return new WebJar(process, printedUrl(process));
    } catch (Exception e) {
      process.destroy();
      throw e;
    }
  }

  private static String printedUrl(Process p) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    return CompletableFuture.supplyAsync(() -> {
      try {
        for (String line; (line = out.readLine()) != null; ) {
          int i = line.indexOf("http://");
          if (line.startsWith("Chat running at") && i >= 0) {
            return line.substring(i, line.indexOf('/', i + 7));
          }
        }
        throw new IllegalStateException("web exited before printing its URL");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).get(60, TimeUnit.SECONDS);
  }

  /** The URL the web command printed, e.g. {@code http://localhost:40123}. */
  String base() {
    return base;
  }

  /** The child process (to kill it in a fail-over test). */
  Process process() {
    return process;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // keep the interrupt for the caller; the process was told to stop
    }
  }
}
