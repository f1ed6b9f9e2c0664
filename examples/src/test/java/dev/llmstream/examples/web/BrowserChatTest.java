package dev.llmstream.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.micrometer.BrowserMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser chat in a real headless Chromium (Debian's chromium + chromium-driver, installed by
 * {@code .ci/run}): typing indicator, text growing in steps, Stop, reload mid-answer, two tabs, an error
 * with Retry. Screenshots of failures go to {@code examples/target/browser-screenshots/}.
 */
class BrowserChatTest {
  private static FakeGroqServer fake;
  private static GroqProvider provider;
  private static WebChatServer server;
  private static WebDriver driver;
  private static final PrometheusMeterRegistry METRICS = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final AtomicInteger failuresLeft = new AtomicInteger();

  @RegisterExtension
  final TestWatcher screenshots =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (driver != null) {
            Chromium.screenshot(driver, "failed-" + context.getDisplayName());
          }
        }
      };

  @BeforeAll
  static void startAll() throws Exception {
    Chromium.assumeInstalled("BrowserChatTest");
    fake = FakeGroqServer.builder().dispatcher(BrowserChatTest::script).build().start();
    provider = GroqProvider.builder().baseUrl(fake.baseUrl()).defaultModel("test-model").build();
    server = WebChatServer.start("127.0.0.1", 0, provider, "fake Groq for the browser test");
    server.browserMetrics(BrowserMetrics.register(METRICS)); // as the web command does
    server.route("/metrics", exchange -> {
      try (exchange) {
        byte[] body = METRICS.scrape().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    });
    driver = Chromium.start();
  }

  private static ResponseScript script(RecordedRequest request) {
    String prompt = request.lastUserMessage();
    ResponseScript.Builder b = ResponseScript.builder().timeToFirstToken(Duration.ofMillis(700));
    if (prompt.startsWith("fail") && failuresLeft.getAndDecrement() > 0) {
      return ResponseScript.builder().status(400).errorBody("invalid_request_error", "bad", "Scripted failure for the test").build();
    }
    if (prompt.startsWith("markdown")) {
      return b.text(MARKDOWN)
          .tokensPerSecond(200)
          .build();
    }
    if (prompt.startsWith("think")) {
      return b.reasoning(REASONING).text("The answer after thinking.").tokensPerSecond(200).build();
    }
    if (prompt.startsWith("long")) {
      return b.generatedText(LONG_TOKENS, BrowserChatTest::longToken).tokensPerSecond(500).build();
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

  private static final int LONG_TOKENS = 3_000;
  private static final String REASONING = "First I consider the question. Then I weigh two options <b>carefully</b>.";
  private static final String MARKDOWN =
      "### Title\n\n- **bold** item\n- `code` item\n\n```\nint x = 1;\n```\n<script>window.pwned=1</script> done.";

  /** The long answer: paragraphs of sentences, a bullet list every few paragraphs, with bold. */
  private static String longToken(long i) {
    if (i % 60 == 59) {
      return ".\n\n";
    }
    if (i % 240 == 60) {
      return "\n\n- **point " + i + "**: ";
    }
    return (i % 12 == 11 ? ". W" : " w") + i;
  }

  /** Saves what the page looks like now under target/browser-screenshots/ (for people reviewing the UI). */
  private static void snapshot(String name) {
    Chromium.screenshot(driver, name);
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Whether the last answer's DOM is exactly what a full render of {@code text} gives. */
  private static boolean rendersLikeAFullRender(String text) {
    Object same = ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "import('/markdown.js').then((m) => { const ref = document.createElement('div');"
            + "  m.renderMarkdown(ref, arguments[0]);"
            + "  const all = document.querySelectorAll('.msg.assistant .answer');"
            + "  done(ref.innerHTML === all[all.length - 1].innerHTML); });",
        text);
    return Boolean.TRUE.equals(same);
  }

  private static List<String> announcements() {
    @SuppressWarnings("unchecked")
    List<String> all = (List<String>) js("return [...document.getElementById('announcer').children].map(p => p.textContent);");
    return all;
  }

  private static long announcementCount() {
    Object n = js("return Number(document.getElementById('announcer').getAttribute('data-announcements') || 0);");
    return ((Number) n).longValue();
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
    // The live region announced whole sentences, not tokens, then the end once.
    List<String> announced = announcements();
    assertThat(announced).hasSizeGreaterThanOrEqualTo(2).last().isEqualTo("Answer complete.");
    for (String sentence : announced.subList(0, announced.size() - 1)) {
      assertThat(expected).contains(sentence);
      assertThat(sentence).matches(".*[.!?]");
    }
    assertThat(driver.findElement(By.id("stop")).isEnabled()).isFalse();
  }

  @Test
  void answersRenderMarkdownSafely() {
    send("markdown please");
    waitUntil(d -> "completed".equals(state()), 30);
    snapshot("markdown-answer");
    WebElement answer = lastAnswer().findElement(By.cssSelector("[data-testid=answer]"));
    assertThat(answer.findElement(By.cssSelector("h3")).getText()).isEqualTo("Title");
    assertThat(answer.findElements(By.cssSelector("ul > li"))).hasSize(2);
    assertThat(answer.findElement(By.cssSelector("strong")).getText()).isEqualTo("bold");
    assertThat(answer.findElement(By.cssSelector("pre code")).getText()).isEqualTo("int x = 1;");
    // Model output is text, never markup: the script tag is shown, not run.
    assertThat(answer.findElements(By.tagName("script"))).isEmpty();
    assertThat(answer.getText()).contains("<script>window.pwned=1</script> done.");
    assertThat(((org.openqa.selenium.JavascriptExecutor) driver).executeScript("return window.pwned === undefined;"))
        .isEqualTo(Boolean.TRUE);
    assertThat(rendersLikeAFullRender(MARKDOWN)).as("the streamed DOM equals a full render of the text").isTrue();
  }

  @Test
  void aLongAnswerFollowsTheBottomUntilTheReaderScrollsUpThenJumpToLatestBringsItBack() {
    send("long answer");
    waitUntil(d -> ((Number) js("const c = document.getElementById('conversation'); return c.scrollHeight / c.clientHeight;"))
        .doubleValue() > 2, 30);
    assertThat(distanceFromBottom()).as("following the bottom while the answer grows").isLessThan(60);
    assertThat(driver.findElement(By.id("jump")).isDisplayed()).isFalse();
    // The reader scrolls up to read: the page stops following and offers the way back.
    js("document.getElementById('conversation').scrollTop = 0;");
    waitUntil(d -> d.findElement(By.id("jump")).isDisplayed(), 5);
    int grownFrom = answerText().length();
    waitUntil(d -> answerText().length() > grownFrom + 200, 20);
    assertThat(((Number) js("return document.getElementById('conversation').scrollTop;")).intValue())
        .as("the page left the reader where they were").isZero();
    snapshot("long-answer-scrolled-up");
    driver.findElement(By.id("jump")).click();
    assertThat(distanceFromBottom()).isLessThan(60);
    waitUntil(d -> !d.findElement(By.id("jump")).isDisplayed(), 5);
    int resumedAt = answerText().length();
    waitUntil(d -> answerText().length() > resumedAt + 200, 20);
    assertThat(distanceFromBottom()).as("following again after the jump").isLessThan(60);
    waitUntil(d -> "completed".equals(state()), 60);
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < LONG_TOKENS; i++) {
      expected.append(longToken(i));
    }
    assertThat(rendersLikeAFullRender(expected.toString())).as("the streamed DOM equals a full render of the text").isTrue();
    // A fast answer of ~6 s: a bounded number of announcements (one per 2.5 s at most, then the end).
    long count = announcementCount();
    assertThat(count).isBetween(2L, 6L);
    assertThat(announcements()).last().isEqualTo("Answer complete.");
  }

  private static double distanceFromBottom() {
    return ((Number) js("const c = document.getElementById('conversation'); return c.scrollHeight - c.scrollTop - c.clientHeight;"))
        .doubleValue();
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
  void aBacklogReplayedAfterAReloadIsDrawnOncePerAnimationFrame() {
    send("slow but complete");
    waitUntil(d -> answerText().length() > 300, 30);
    // Forget where this page was: the reloaded page replays the whole answer so far in one burst.
    js("Object.keys(sessionStorage).filter(k => k.startsWith('llmstream.run.')).forEach(k => sessionStorage.removeItem(k));"
        + "window.addEventListener('pagehide', () => Object.keys(sessionStorage)"
        + ".filter(k => k.startsWith('llmstream.run.')).forEach(k => sessionStorage.removeItem(k)));");
    ChromeDriver chrome = (ChromeDriver) driver;
    Map<String, Object> added = chrome.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
        window.__frame = 0; window.__drawnInFrame = [];
        const tick = () => { window.__frame++; requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
        new MutationObserver((records) => {
          const inAnswer = records.some((r) => {
            const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
            return el && el.closest('.answer') && r.target !== el.closest('.msg');
          });
          if (inAnswer) window.__drawnInFrame.push(window.__frame);
        }).observe(document, { subtree: true, childList: true, characterData: true });
        """));
    try {
      driver.navigate().refresh();
      waitUntil(d -> "completed".equals(state()), 60);
    } finally {
      chrome.executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", added.get("identifier")));
    }
    @SuppressWarnings("unchecked")
    List<Number> frames = (List<Number>) js("return window.__drawnInFrame;");
    assertThat(frames).as("answer drawn in several frames").hasSizeGreaterThan(3);
    Map<Long, Long> perFrame = frames.stream().collect(Collectors.groupingBy(Number::longValue, Collectors.counting()));
    assertThat(perFrame.values()).as("DOM updates of the answer per animation frame: %s", perFrame).allMatch(n -> n == 1);
    assertThat(answerText()).startsWith("w0 w1 w2").endsWith("w399");
  }

  @Test
  void reasoningShowsAsPlainTextAboveTheAnswer() {
    send("think first");
    waitUntil(d -> "completed".equals(state()), 30);
    WebElement reasoning = lastAnswer().findElement(By.cssSelector(".reasoning"));
    assertThat(reasoning.isDisplayed()).isTrue();
    assertThat(reasoning.getText()).isEqualTo(REASONING);
    assertThat(reasoning.findElements(By.tagName("b"))).as("reasoning is text, never markup").isEmpty();
    assertThat(answerText()).isEqualTo("The answer after thinking.");
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

  /** A sample's value in the server's {@code GET /metrics} scrape (0 if absent). */
  private static double scraped(String sample) {
    try {
      String scrape = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (String line : scrape.split("\n")) {
        if (line.startsWith(sample + " ")) {
          return Double.parseDouble(line.substring(sample.length() + 1).trim());
        }
      }
      return 0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void thePageReportsItsDisplayLagAndTheServerRecordsIt() {
    double before = scraped("llmstream_ui_display_lag_seconds_count");
    send("hello metrics");
    waitUntil(d -> "completed".equals(state()), 30);
    // the report goes out when the answer ends, after the last frame's lag is measured
    waitUntil(d -> scraped("llmstream_ui_display_lag_seconds_count") >= before + 1, 15);
    double count = scraped("llmstream_ui_display_lag_seconds_count");
    double sum = scraped("llmstream_ui_display_lag_seconds_sum");
    System.out.printf("display lag: %.0f frames with text, mean %.1f ms; long frames %.0f (source %s)%n",
        count - before, 1000 * sum / count, scraped("llmstream_ui_long_frames_total"),
        js("return document.documentElement.getAttribute('data-long-frames');"));
    assertThat(sum / count).as("mean display lag, s").isBetween(0.0, 5.0);
    assertThat(js("return document.documentElement.getAttribute('data-long-frames');"))
        .isIn("long-animation-frame", "longtask", "frame-gaps");
  }

  @Test
  void theStatsToggleDrawsTheRecentAnswersAsSparklines() {
    send("stats one");
    waitUntil(d -> "completed".equals(state()), 30);
    send("stats two");
    waitUntil(d -> driver.findElements(By.cssSelector(".msg.assistant")).size() == 2 && "completed".equals(state()), 30);
    send("slow to stop");
    waitUntil(d -> driver.findElements(By.cssSelector(".msg.assistant")).size() == 3 && answerText().length() > 20, 30);
    driver.findElement(By.id("stop")).click();
    waitUntil(d -> "stopped".equals(state()), 15);

    WebElement toggle = driver.findElement(By.cssSelector("[data-testid=stats-toggle]"));
    assertThat(driver.findElement(By.cssSelector("[data-testid=stats]")).isDisplayed()).isFalse();
    toggle.click();
    WebElement stats = driver.findElement(By.cssSelector("[data-testid=stats]"));
    assertThat(stats.isDisplayed()).isTrue();
    assertThat(toggle.getAttribute("aria-expanded")).isEqualTo("true");
    snapshot("stats-view");
    for (String spark : List.of("spark-ttft", "spark-tps", "spark-outcome")) {
      WebElement svg = driver.findElement(By.cssSelector("[data-testid=" + spark + "]"));
      WebElement path = svg.findElement(By.tagName("path"));
      assertThat(path.getAttribute("data-points")).as(spark).isEqualTo("3");
      assertThat(path.getAttribute("d")).as(spark).matches("M[0-9.]+ [0-9.]+( L[0-9.]+ [0-9.]+){2}");
      assertThat(svg.findElements(By.tagName("circle"))).as(spark).hasSize(3);
    }
    assertThat(stats.getText()).contains("2 completed · 1 stopped · 0 failed").contains("last 3 answers");
    @SuppressWarnings("unchecked")
    List<Number> ttft = (List<Number>) js("return JSON.parse(sessionStorage.getItem('llmstream.stats')).map(s => s.ttftMs);");
    assertThat(ttft).as("time to first token in the page, ms (the fake waits 700 ms)")
        .allSatisfy(ms -> assertThat(ms.doubleValue()).isBetween(700.0, 10_000.0));
    toggle.click();
    assertThat(stats.isDisplayed()).isFalse();
  }
}
