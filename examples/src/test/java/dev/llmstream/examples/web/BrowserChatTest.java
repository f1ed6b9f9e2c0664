package dev.llmstream.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser chat in a real headless Chromium (Debian's chromium + chromium-driver, installed by
 * {@code .ci/run}): typing indicator, text growing in steps, Stop, reload mid-answer, two tabs, an error
 * with Retry. Screenshots of failures go to {@code examples/target/browser-screenshots/}.
 */
class BrowserChatTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private static FakeGroqServer fake;
  private static GroqProvider provider;
  private static WebChatServer server;
  private static WebDriver driver;
  private static final AtomicInteger failuresLeft = new AtomicInteger();

  @RegisterExtension
  final TestWatcher screenshots =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (driver instanceof TakesScreenshot shooter) {
            try {
              Path dir = Path.of("target", "browser-screenshots");
              Files.createDirectories(dir);
              File png = shooter.getScreenshotAs(OutputType.FILE);
              Files.copy(png.toPath(), dir.resolve(context.getDisplayName().replaceAll("\\W", "_") + ".png"));
            } catch (Exception e) {
              System.err.println("could not save a screenshot: " + e);
            }
          }
        }
      };

  @BeforeAll
  static void startAll() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        () -> {
          String reason = "BrowserChatTest skipped: no " + CHROMIUM + " / " + CHROMEDRIVER
              + " (install Debian's chromium and chromium-driver; .ci/run does)";
          System.err.println(reason);
          return reason;
        });
    fake = FakeGroqServer.builder().dispatcher(BrowserChatTest::script).build().start();
    provider = GroqProvider.builder().baseUrl(fake.baseUrl()).defaultModel("test-model").build();
    server = WebChatServer.start("127.0.0.1", 0, provider, "fake Groq for the browser test");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", "--window-size=1200,900",
        "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
  }

  private static ResponseScript script(RecordedRequest request) {
    String prompt = request.lastUserMessage();
    ResponseScript.Builder b = ResponseScript.builder().timeToFirstToken(Duration.ofMillis(700));
    if (prompt.startsWith("fail") && failuresLeft.getAndDecrement() > 0) {
      return ResponseScript.builder().status(400).errorBody("invalid_request_error", "bad", "Scripted failure for the test").build();
    }
    if (prompt.startsWith("slow")) {
      return b.generatedText(400, i -> "w" + i + (i % 12 == 11 ? ".\n" : " ")).tokensPerSecond(60).build();
    }
    return b.text("Answer to " + prompt + ": streaming words arrive in batches. This is the second sentence. And a third one to finish.")
        .tokensPerSecond(25)
        .build();
  }

  @AfterAll
  static void stopAll() {
    if (driver != null) {
      driver.quit();
    }
    if (server != null) {
      server.close();
      provider.close();
      fake.close();
    }
  }

  @BeforeEach
  void freshPage() {
    driver.get(server.url());
    ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("sessionStorage.clear();");
    driver.navigate().refresh();
    waitUntil(d -> !d.findElement(By.id("endpoint")).getText().isEmpty(), 10);
  }

  /** Saves what the page looks like now under target/browser-screenshots/ (for people reviewing the UI). */
  private static void snapshot(String name) {
    try {
      Path dir = Path.of("target", "browser-screenshots");
      Files.createDirectories(dir);
      File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Files.copy(png.toPath(), dir.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (Exception e) {
      System.err.println("could not save a screenshot: " + e);
    }
  }

  private static WebDriverWait waiting(int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(20));
  }

  private static <T> T waitUntil(java.util.function.Function<WebDriver, T> condition, int seconds) {
    return waiting(seconds).until(condition::apply);
  }

  private static void send(String text) {
    WebElement prompt = driver.findElement(By.id("prompt"));
    prompt.sendKeys(text);
    prompt.sendKeys(Keys.ENTER);
  }

  private static WebElement lastAnswer() {
    List<WebElement> all = driver.findElements(By.cssSelector(".msg.assistant"));
    if (all.isEmpty()) {
      throw new NoSuchElementException("no assistant answer on the page yet"); // waits retry on this
    }
    return all.get(all.size() - 1);
  }

  private static String state() {
    return lastAnswer().getAttribute("data-state");
  }

  private static String answerText() {
    return lastAnswer().findElement(By.cssSelector("[data-testid=answer]")).getText();
  }

  @Test
  void typingIndicatorThenTextGrowsInSeveralStepsThenCompletes() {
    send("hello");
    waitUntil(d -> !d.findElements(By.cssSelector(".msg.assistant [data-testid=typing]")).isEmpty(), 10);
    List<Integer> lengths = new ArrayList<>();
    waitUntil(
        d -> {
          int len = answerText().length();
          if (lengths.isEmpty() || lengths.get(lengths.size() - 1) != len) {
            lengths.add(len);
          }
          return "completed".equals(state());
        },
        30);
    snapshot("completed-answer");
    String expected = "Answer to hello: streaming words arrive in batches. This is the second sentence. And a third one to finish.";
    assertThat(answerText()).isEqualTo(expected);
    assertThat(lengths).as("text grew in steps: %s", lengths).hasSizeGreaterThanOrEqualTo(4).isSorted();
    assertThat(driver.findElements(By.cssSelector(".msg.assistant [data-testid=typing]"))).isEmpty();
    // The live region announced whole sentences, not tokens.
    String announced = driver.findElement(By.id("announcer")).getText();
    assertThat(announced).isNotEmpty();
    assertThat(expected).contains(announced);
    assertThat(driver.findElement(By.id("stop")).isEnabled()).isFalse();
  }

  @Test
  void stopMidAnswerEndsTheStreamAndMarksTheAnswerStopped() {
    int connectionsBefore = fake.requests().size();
    send("slow story");
    waitUntil(d -> answerText().length() > 20, 30);
    snapshot("mid-answer");
    WebElement stop = driver.findElement(By.id("stop"));
    assertThat(stop.isEnabled()).isTrue();
    stop.click();
    waitUntil(d -> "stopped".equals(state()), 15);
    String shown = answerText();
    // The model's HTTP call was aborted: the fake saw the client close the connection.
    ConnectionRecord conn = fake.awaitEnded(connectionsBefore, Duration.ofSeconds(10));
    assertThat(conn.ending()).isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    // What the page shows is exactly the partial answer the server kept; nothing more can arrive.
    driver.navigate().refresh();
    waitUntil(d -> "stopped".equals(state()), 10);
    assertThat(answerText()).isEqualTo(shown);
    assertThat(lastAnswer().getText()).contains("partial answer was kept");
  }

  @Test
  void reloadingMidAnswerResumesWithoutRepeatingText() {
    send("slow but complete");
    waitUntil(d -> answerText().length() > 30, 30);
    driver.navigate().refresh();
    waitUntil(d -> "completed".equals(state()), 60);
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      expected.append("w").append(i).append(i % 12 == 11 ? ".\n" : " ");
    }
    assertThat(answerText().strip()).isEqualTo(expected.toString().strip());
    assertThat(driver.findElements(By.cssSelector(".msg.assistant"))).hasSize(1);
  }

  @Test
  void twoTabsStreamAtTheSameTimeWithoutInterfering() {
    String first = driver.getWindowHandle();
    send("tab one");
    driver.switchTo().newWindow(WindowType.TAB);
    driver.get(server.url());
    waitUntil(d -> !d.findElement(By.id("endpoint")).getText().isEmpty(), 10);
    assertThat(driver.findElements(By.cssSelector(".msg"))).as("a new tab starts its own conversation").isEmpty();
    send("tab two");
    waitUntil(d -> "completed".equals(state()), 30);
    assertThat(answerText()).startsWith("Answer to tab two:");
    driver.close();
    driver.switchTo().window(first);
    waitUntil(d -> "completed".equals(state()), 30);
    assertThat(answerText()).startsWith("Answer to tab one:");
    assertThat(driver.findElements(By.cssSelector(".msg.assistant"))).hasSize(1);
  }

  @Test
  void aServerErrorShowsTheErrorStateAndRetryRecovers() {
    failuresLeft.set(1);
    send("fail first");
    waitUntil(d -> "failed".equals(state()), 15);
    assertThat(lastAnswer().findElement(By.cssSelector("[data-testid=error]")).getText())
        .contains("Scripted failure for the test");
    lastAnswer().findElement(By.cssSelector("[data-testid=retry]")).click();
    waitUntil(d -> "completed".equals(state()), 30);
    assertThat(answerText()).startsWith("Answer to fail first:");
  }
}
