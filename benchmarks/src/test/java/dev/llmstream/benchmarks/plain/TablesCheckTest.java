package dev.llmstream.benchmarks.plain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's result tables are what {@code tables.py} generates from the raw JSON files: runs
 * {@code python3 tables.py --check} in the module directory (skipped where there is no python3).
 */
class TablesCheckTest {

  @Test
  void readmeTablesMatchTheRawFiles() throws Exception {
    Path module = Files.exists(Path.of("tables.py")) ? Path.of(".") : Path.of("benchmarks");
    assumeTrue(Files.exists(module.resolve("tables.py")), "tables.py not found from " + Path.of("").toAbsolutePath());
    assumeTrue(python3Runs(), "no python3 on the PATH");

    Process p =
        new ProcessBuilder("python3", "tables.py", "--check").directory(module.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as("python3 tables.py --check:%n%s", output).isZero();
  }

  private static boolean python3Runs() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
