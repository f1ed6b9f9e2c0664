package dev.llmstream.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.SimulatedModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Spring example checked from outside, like the {@code web} example's contract test: {@code java -jar
 * spring-chat.jar --server.port=0 --llmstream.groq.base-url=… --llmstream.groq.api-key=… --llmstream.groq.model=…}
 * against the testkit's simulated upstream, plain HTTP with cookies managed here.
 */
@Timeout(120)
class SpringChatIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SimulatedModel MODEL =
      SimulatedModel.builder().seed(7).tokensPerSecond(200).paragraphs(3, 4).build();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static FakeGroqServer upstream;
  private static Process app;
  private static String base;

  record Event(long id, String type, JsonNode data) {}

  @BeforeAll
  static void start() throws Exception {
    Path jar = Path.of(System.getProperty("spring-chat.jar", "target/spring-chat.jar"));
    assertThat(jar).as("the Spring Boot jar (mvn package)").exists();
    upstream = FakeGroqServer.simulated(MODEL).start();
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar", jar.toString(),
            "--server.port=0",
            "--llmstream.groq.base-url=" + upstream.baseUrl(),
            "--llmstream.groq.api-key=contract-key",
            "--llmstream.groq.model=sim-1");
    pb.environment().remove("GROQ_API_KEY");
    pb.redirectError(ProcessBuilder.Redirect.appendTo(Files.createTempFile("spring-chat", ".log").toFile()));
    app = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> url =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  int i = line.indexOf("http://");
                  if (line.startsWith("Chat running at") && i >= 0) {
                    return line.substring(i, line.indexOf('/', i + 7));
                  }
                }
                throw new IllegalStateException("spring-chat exited before printing its URL");
              } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
              }
            });
    base = url.get(90, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.destroy();
      assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("the app stops on SIGTERM").isTrue();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void servesTheChatPageAndTheClientScript() throws Exception {
    HttpResponse<String> page = send(get("/"), null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script src=\"/llmstream.js\"></script>");
    assertThat(send(get("/llmstream.js"), null).body()).contains("LlmStream");
    assertThat(send(get("/app.js"), null).statusCode()).isEqualTo(200);
  }

  @Test
  void resumeIsExactAndStrangersGet404() throws Exception {
    HttpResponse<String> started = post("/api/chat", "{\"message\":\"spring resume\",\"chat\":\"r\"}", null);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    String cookie = sid(started);
    String run = JSON.readTree(started.body()).get("run").asText();

    HttpResponse<String> stranger = send(get("/api/runs/" + run + "/events"), null);
    assertThat(stranger.statusCode()).isEqualTo(404);
    assertThat(post("/api/runs/" + run + "/stop", "", null).statusCode()).isEqualTo(404);

    List<Event> all = parse(send(get("/api/runs/" + run + "/events"), cookie).body());
    assertThat(all.get(all.size() - 1).data().get("state").asText()).isEqualTo("COMPLETED");
    assertThat(text(all)).isEqualTo(MODEL.answer("spring resume"));
    long cut = all.get(all.size() / 2).id();
    List<Event> rest =
        parse(send(get("/api/runs/" + run + "/events").header("Last-Event-ID", Long.toString(cut)), cookie).body());
    assertThat(rest).allSatisfy(e -> assertThat(e.id()).isGreaterThan(cut));
    assertThat(text(all.stream().filter(e -> e.id() <= cut).toList()) + text(rest)).isEqualTo(MODEL.answer("spring resume"));

    JsonNode chat = JSON.readTree(send(get("/api/chats/r"), cookie).body());
    assertThat(chat.get("running").isNull()).isTrue();
    assertThat(chat.get("history")).hasSize(2);
    assertThat(chat.get("history").get(0).get("text").asText()).isEqualTo("spring resume");
    assertThat(chat.get("history").get(1).get("text").asText()).isEqualTo(MODEL.answer("spring resume"));
    assertThat(JSON.readTree(send(get("/api/chats/r"), null).body()).get("history")).as("a stranger's view").isEmpty();
  }

  @Test
  void stopClosesTheUpstreamCall() throws Exception {
    int index = upstream.requests().size();
    HttpResponse<String> started = post("/api/chat", "{\"message\":\"spring stop\",\"chat\":\"s\"}", null);
    String cookie = sid(started);
    String run = JSON.readTree(started.body()).get("run").asText();
    upstream.awaitChunks(index, 3, Duration.ofSeconds(20));
    assertThat(JSON.readTree(send(get("/api/chats/s"), cookie).body()).get("running").asText())
        .as("a reload resumes the running answer")
        .isEqualTo(run);
    HttpResponse<String> stop = post("/api/runs/" + run + "/stop", "", cookie);
    assertThat(stop.statusCode()).isEqualTo(200);
    assertThat(upstream.awaitEnded(index, Duration.ofSeconds(20)).ending())
        .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    List<Event> events = parse(send(get("/api/runs/" + run + "/events"), cookie).body());
    assertThat(events.get(events.size() - 1).data().get("state").asText()).isEqualTo("CANCELLED");
  }

  @Test
  void actuatorHealthAndPrometheus() throws Exception {
    HttpResponse<String> health = send(get("/actuator/health"), null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).path("components").path("llmstream").path("status").asText())
        .isEqualTo("UP");
    HttpResponse<String> started = post("/api/chat", "{\"message\":\"spring metrics\",\"chat\":\"m\"}", null);
    String cookie = sid(started);
    String run = JSON.readTree(started.body()).get("run").asText();
    List<Event> events = parse(send(get("/api/runs/" + run + "/events"), cookie).body());
    assertThat(events.get(events.size() - 1).data().get("state").asText()).isEqualTo("COMPLETED");
    HttpResponse<String> prometheus = send(get("/actuator/prometheus"), null);
    assertThat(prometheus.statusCode()).isEqualTo(200);
    assertThat(prometheus.body()).contains("jvm_").doesNotContain("contract-key")
        .contains("gen_ai_client_operation_duration_seconds_count{")
        .contains("gen_ai_operation_name=\"chat\"")
        .contains("gen_ai_client_token_usage")
        .contains("llmstream_streams_total{")
        .contains("llmstream_relay_readers ")
        .contains("llmstream_relay_coalesced_total ");
  }

  @Test
  void aBrowserStreamsAnAnswerOnTheSamePage() throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    Path driverBinary = Path.of("/usr/bin/chromedriver");
    Assumptions.assumeTrue(
        Files.isExecutable(chromium) && Files.isExecutable(driverBinary),
        "no /usr/bin/chromium and /usr/bin/chromedriver (Debian's chromium and chromium-driver)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(driverBinary.toFile()).usingAnyFreePort().build();
    WebDriver driver = new ChromeDriver(service, options);
    try {
      driver.get(base + "/");
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(50));
      wait.until(d -> !d.findElement(By.id("endpoint")).getText().isEmpty());
      WebElement prompt = driver.findElement(By.id("prompt"));
      prompt.sendKeys("browser question");
      prompt.sendKeys(Keys.ENTER);
      wait.until(d -> "completed".equals(lastAnswer(d).getAttribute("data-state")));
      String shown = lastAnswer(driver).findElement(By.cssSelector("[data-testid=answer]")).getText();
      assertThat(shown).startsWith(MODEL.answer("browser question").substring(0, 20)).contains("In short:");
    } finally {
      driver.quit();
    }
  }

  private static WebElement lastAnswer(WebDriver d) {
    List<WebElement> all = d.findElements(By.cssSelector(".msg.assistant"));
    if (all.isEmpty()) {
      throw new NoSuchElementException("no answer yet"); // the wait retries on this
    }
    return all.get(all.size() - 1);
  }

  private static HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
  }

  private static HttpResponse<String> post(String path, String body, String cookie) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)),
        cookie);
  }

  private static HttpResponse<String> send(HttpRequest.Builder b, String cookie) throws Exception {
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String sid(HttpResponse<String> r) {
    String c = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(c).contains("HttpOnly").contains("SameSite=Strict");
    return c.substring(0, c.indexOf(';'));
  }

  private static List<Event> parse(String body) throws Exception {
    List<Event> out = new ArrayList<>();
    for (String frame : body.split("\n\n")) {
      long id = -1;
      String type = null;
      String data = null;
      for (String line : frame.split("\n")) {
        if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (type != null && data != null) {
        out.add(new Event(id, type, JSON.readTree(data)));
      }
    }
    return out;
  }

  private static String text(List<Event> events) {
    StringBuilder sb = new StringBuilder();
    events.stream().filter(e -> e.type().equals("text")).forEach(e -> sb.append(e.data().get("t").asText()));
    return sb.toString();
  }
}
