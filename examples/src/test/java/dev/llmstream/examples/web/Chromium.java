package dev.llmstream.examples.web;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the browser tests: Debian's {@code chromium} and {@code chromium-driver}
 * (installed by {@code .ci/run}). A test class without them is skipped with the reason printed.
 */
final class Chromium {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Chromium() {
    throw new AssertionError("no instances");
  }

  /** Skips the calling test class when Chromium or its driver is missing. */
  static void assumeInstalled(String testName) {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY) && Files.isExecutable(DRIVER),
        () -> {
          String reason = testName + " skipped: no " + BINARY + " / " + DRIVER
              + " (install Debian's chromium and chromium-driver; .ci/run does)";
          System.err.println(reason);
          return reason;
        });
  }

  /** A new headless browser with its own fresh profile; the caller quits it. */
  static WebDriver start() throws java.io.IOException {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", "--window-size=1200,900",
        "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  /** Saves what the page looks like now as target/browser-screenshots/NAME.png (for reviewers). */
  static void screenshot(WebDriver driver, String name) {
    try {
      Path dir = Path.of("target", "browser-screenshots");
      Files.createDirectories(dir);
      File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Files.copy(png.toPath(), dir.resolve(name.replaceAll("\\W", "_") + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (Exception e) {
      System.err.println("could not save a screenshot: " + e);
    }
  }
}
