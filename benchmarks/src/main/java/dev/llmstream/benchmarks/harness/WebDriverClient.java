package dev.llmstream.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Headless Chromium driven through chromedriver's W3C WebDriver HTTP API (new session, navigate,
 * execute script, delete session), for the browser benchmark.
 *
 * <p>Why not Selenium, as the browser tests use: this module's shaded JMH jar would carry Selenium's
 * ~20 MB of dependencies for the five JSON calls below, and the benchmark needs nothing else from it.
 * The calls are the standard protocol (<a href="https://www.w3.org/TR/webdriver2/">W3C WebDriver</a>)
 * over {@code java.net.http} and Jackson. Not thread-safe: one benchmark thread drives it.
 */
public final class WebDriverClient implements AutoCloseable {
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Process driver;
  private final String base;
  private final String session;

  private WebDriverClient(Process driver, String base, String session) {
    this.driver = driver;
    this.base = base;
    this.session = session;
  }

  /**
   * Starts chromedriver and a headless Chromium session.
   *
   * @param chromedriver the driver executable
   * @param chromium the browser executable
   * @return the client
   * @throws IOException if either cannot be started
   * @throws InterruptedException if interrupted while waiting for the driver
   */
  public static WebDriverClient start(Path chromedriver, Path chromium) throws IOException, InterruptedException {
    int port = freePort();
    Process driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String base = "http://127.0.0.1:" + port;
    WebDriverClient probe = new WebDriverClient(driver, base, "");
    try {
      probe.waitReady();
      ObjectNode caps = probe.json.createObjectNode();
      ObjectNode chrome = caps.putObject("capabilities").putObject("alwaysMatch");
      chrome.put("browserName", "chrome");
      ObjectNode options = chrome.putObject("goog:chromeOptions");
      options.put("binary", chromium.toString());
      ArrayNode args = options.putArray("args");
      for (String a : List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
          "--disable-quic", "--window-size=1200,900",
          "--user-data-dir=" + Files.createTempDirectory("chromium-bench"))) {
        args.add(a);
      }
      JsonNode created = probe.call("POST", "/session", caps);
      return new WebDriverClient(driver, base, created.path("value").path("sessionId").asText());
    } catch (IOException | RuntimeException e) {
      driver.destroy();
      throw e;
    }
  }

  /**
   * Opens a URL and waits for the page to load.
   *
   * @param url the address
   * @throws IOException on a driver error
   * @throws InterruptedException if interrupted
   */
  public void navigate(String url) throws IOException, InterruptedException {
    ObjectNode body = json.createObjectNode().put("url", url);
    call("POST", "/session/" + session + "/url", body);
  }

  /**
   * Runs a synchronous script in the page ({@code return …} gives its value).
   *
   * @param script the function body
   * @param args its {@code arguments}
   * @return the script's value as JSON
   * @throws IOException on a driver or script error
   * @throws InterruptedException if interrupted
   */
  public JsonNode execute(String script, Object... args) throws IOException, InterruptedException {
    ObjectNode body = json.createObjectNode().put("script", script);
    ArrayNode a = body.putArray("args");
    for (Object arg : args) {
      a.addPOJO(arg);
    }
    return call("POST", "/session/" + session + "/execute/sync", body).path("value");
  }

  /**
   * Runs an asynchronous script in the page: it ends by calling its last argument with the result.
   *
   * @param script the function body
   * @param args its {@code arguments} (the callback is added after them)
   * @return the value passed to the callback, as JSON
   * @throws IOException on a driver or script error (or after 5 minutes)
   * @throws InterruptedException if interrupted
   */
  public JsonNode executeAsync(String script, Object... args) throws IOException, InterruptedException {
    call("POST", "/session/" + session + "/timeouts", json.createObjectNode().put("script", 300_000));
    ObjectNode body = json.createObjectNode().put("script", script);
    ArrayNode a = body.putArray("args");
    for (Object arg : args) {
      a.addPOJO(arg);
    }
    return call("POST", "/session/" + session + "/execute/async", body).path("value");
  }

  /**
   * The CPU time used so far by the browser's processes (every descendant of chromedriver: the browser,
   * its renderer, GPU and network processes). Unlike wall-clock figures it barely moves when other
   * programs compete for the machine.
   *
   * @return the summed CPU time
   */
  public Duration browserCpu() {
    return driver.descendants()
        .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
        .reduce(Duration.ZERO, Duration::plus);
  }

  private void waitReady() throws IOException, InterruptedException {
    IOException last = null;
    for (int i = 0; i < 100; i++) {
      try {
        if (call("GET", "/status", null).path("value").path("ready").asBoolean()) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw new IOException("chromedriver did not become ready", last);
  }

  private JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5));
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json; charset=utf-8")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    }
    HttpResponse<byte[]> res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    JsonNode node = json.readTree(res.body());
    if (res.statusCode() != 200) {
      throw new IOException("WebDriver " + method + " " + path + " -> " + res.statusCode() + ": "
          + node.path("value").path("message").asText("").lines().findFirst().orElse(""));
    }
    return node;
  }

  /**
   * A TCP port that was free a moment ago (for child processes that need a port on the command line).
   *
   * @return the port
   * @throws IOException if none can be found
   */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    try {
      if (!session.isEmpty()) {
        call("DELETE", "/session/" + session, null);
      }
    } catch (IOException e) {
      System.err.println("could not end the browser session: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      driver.destroy();
    }
  }
}
