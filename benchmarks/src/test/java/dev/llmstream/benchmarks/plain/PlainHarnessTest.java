package dev.llmstream.benchmarks.plain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plain harness on tiny settings: every client counts every token, the JSON has its fields, bad flags exit 2. */
class PlainHarnessTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void everyClientCountsEveryTokenAndTheJsonHasItsFields(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("plain.json");
    Run run =
        run("--runs", "2", "--warmups", "1", "--tokens", "300", "--samples", "3", "--gap-ms", "5",
            "--clients", String.join(",", PlainClient.KNOWN), "--out", json.toString());

    assertThat(run.code).as(run.err).isZero();
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.path("date").asText()).isEqualTo("2026-12-02T10:00:00Z");
    assertThat(root.path("commit").asText()).isNotEmpty();
    assertThat(root.path("machine").path("cpus").asInt()).isPositive();
    assertThat(root.path("machine").has("loadAverageBefore")).isTrue();
    assertThat(root.path("jdk").path("version").asText()).isEqualTo(System.getProperty("java.version"));
    JsonNode conditions = root.path("conditions");
    assertThat(conditions.path("tokens").asInt()).isEqualTo(300);
    assertThat(conditions.path("runs").asInt()).isEqualTo(2);
    assertThat(conditions.path("warmups").asInt()).isEqualTo(1);
    assertThat(conditions.path("samples").asInt()).isEqualTo(3);
    assertThat(conditions.path("gapMs").asInt()).isEqualTo(5);
    assertThat(conditions.path(PlainServer.NODELAY).asText()).isEqualTo("true");
    for (String client : PlainClient.KNOWN) {
      JsonNode r = root.path("results").path(client);
      assertThat(r.path("errors").size()).as(client + ": " + r.path("errors")).isZero();
      JsonNode t = r.path("throughputTokensPerSecond");
      assertThat(t.path("tokenCounts")).as(client).hasSize(2).allSatisfy(n -> assertThat(n.asInt()).isEqualTo(300));
      assertThat(t.path("runs")).hasSize(2);
      assertThat(t.path("median").asDouble()).as(client).isPositive();
      assertThat(t.path("min").asDouble()).isLessThanOrEqualTo(t.path("median").asDouble());
      assertThat(t.path("max").asDouble()).isGreaterThanOrEqualTo(t.path("median").asDouble());
      JsonNode f = r.path("firstToken");
      assertThat(f.path("samples").asInt()).isEqualTo(3);
      assertThat(f.path("p50Micros").asDouble()).as(client).isPositive();
      assertThat(f.path("p99Micros").asDouble()).isGreaterThanOrEqualTo(f.path("p50Micros").asDouble());
      assertThat(run.out).contains(client);
    }
    assertThat(run.out).contains("tokens/s med").contains("load average");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--runs x", "--runs 0", "--warmups -1", "--clients ours,nope", "--clients ours,ours", "--bogus 1", "--tokens"})
  void badFlagsExitWithTwoAndAUsageLine(String args) {
    Run run = run(args.split(" "));

    assertThat(run.code).isEqualTo(2);
    assertThat(run.err).contains("error: ").contains("usage: java -cp benchmarks/target/benchmarks.jar dev.llmstream.benchmarks.plain.PlainHarness");
    assertThat(run.out).isEmpty();
  }

  @Test
  void helpPrintsTheUsage() {
    Run run = run("--help");

    assertThat(run.code).isZero();
    assertThat(run.out).startsWith("usage: ");
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = PlainHarness.run(args, o, e, CLOCK);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private record Run(int code, String out, String err) {}
}
