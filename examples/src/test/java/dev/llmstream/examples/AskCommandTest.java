package dev.llmstream.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ask} command-line contract, run as a real process (as scripts use it) against the testkit's
 * fake Groq server: JSON fields, exit codes, and Ctrl-C (SIGINT) cancelling the HTTP call.
 */
class AskCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  record Result(int code, String stdout, String stderr) {}

  private Result ask(FakeGroqServer server, String... extra) throws Exception {
    Process p = start(server, extra);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ask finished").isTrue();
    return result(p);
  }

  private Process start(FakeGroqServer server, String... extra) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.llmstream.examples.Main");
    cmd.add("ask");
    if (server != null) {
      cmd.add("--base-url");
      cmd.add(server.baseUrl());
    }
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(Launch.withDefaultSigint(cmd));
    pb.environment().remove("GROQ_API_KEY");
    pb.redirectOutput(tmp.resolve("out.txt").toFile());
    pb.redirectError(tmp.resolve("err.txt").toFile());
    return pb.start();
  }

  private Result result(Process p) throws IOException {
    return new Result(
        p.exitValue(),
        Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8),
        Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8));
  }

  private static JsonNode onlyJson(Result r) throws IOException {
    String out = r.stdout().strip();
    assertThat(out.lines().count()).as("stdout holds one JSON object only: %s", out).isEqualTo(1);
    return JSON.readTree(out);
  }

  @Test
  void completedAnswerPrintsTheJsonContractAndExitsZero() throws Exception {
    try (FakeGroqServer server =
        FakeGroqServer.builder().always(ResponseScript.text("Hello from the fake, \"quoted\" ✓.")).build().start()) {
      Result r = ask(server, "--prompt", "Hi", "--json", "--max-tokens", "64", "--system", "Be brief.");
      assertThat(r.code()).as(r.stderr()).isZero();
      JsonNode j = onlyJson(r);
      assertThat(j.get("state").asText()).isEqualTo("COMPLETED");
      assertThat(j.get("text").asText()).isEqualTo("Hello from the fake, \"quoted\" ✓.");
      assertThat(j.get("reasoning").isNull()).isTrue();
      assertThat(j.get("toolCalls").isArray()).isTrue();
      assertThat(j.get("finishReason").asText()).isEqualTo("stop");
      assertThat(j.get("usage").get("completionTokens").asLong()).isPositive();
      assertThat(j.get("usage").has("promptTokens")).isTrue();
      assertThat(j.get("usage").has("totalTokens")).isTrue();
      assertThat(j.get("timeToFirstTokenMs").isNumber()).isTrue();
      assertThat(j.get("error").isNull()).isTrue();
      // The request carried the options.
      JsonNode sent = JSON.readTree(server.requests().get(0).body());
      assertThat(sent.get("max_completion_tokens").asInt()).isEqualTo(64);
      assertThat(sent.get("messages").get(0).get("role").asText()).isEqualTo("system");
      assertThat(sent.get("stream").asBoolean()).isTrue();
    }
  }

  @Test
  void withoutJsonTheAnswerStreamsToStdout() throws Exception {
    try (FakeGroqServer server =
        FakeGroqServer.builder().always(ResponseScript.text("Plain words for scripts.")).build().start()) {
      Result r = ask(server, "--prompt", "Hi");
      assertThat(r.code()).isZero();
      assertThat(r.stdout()).isEqualTo("Plain words for scripts.\n");
    }
  }

  @Test
  void authenticationFailureExitsOneWithTheTypedError() throws Exception {
    try (FakeGroqServer server = FakeGroqServer.builder().always(ResponseScript.httpError(401)).build().start()) {
      Result r = ask(server, "--prompt", "Hi", "--json", "--api-key", "gsk_wrong_key_123");
      assertThat(r.code()).isEqualTo(1);
      JsonNode j = onlyJson(r);
      assertThat(j.get("state").asText()).isEqualTo("FAILED");
      assertThat(j.get("error").get("type").asText()).isEqualTo("AUTHENTICATION");
      assertThat(j.get("error").get("status").asInt()).isEqualTo(401);
      assertThat(j.get("error").get("message").asText()).isNotBlank();
      assertThat(r.stdout() + r.stderr()).doesNotContain("gsk_wrong_key_123");
    }
  }

  @Test
  void malformedStreamExitsOneWithAProtocolErrorAndThePartialText() throws Exception {
    try (FakeGroqServer server =
        FakeGroqServer.builder()
            .always(ResponseScript.builder().text("one two three four five").malformedAt(3).build())
            .build()
            .start()) {
      Result r = ask(server, "--prompt", "Hi", "--json");
      assertThat(r.code()).isEqualTo(1);
      JsonNode j = onlyJson(r);
      assertThat(j.get("state").asText()).isEqualTo("FAILED");
      assertThat(j.get("error").get("type").asText()).isEqualTo("PROTOCOL");
      assertThat("one two three four five").startsWith(j.get("text").asText());
    }
  }

  private static FakeGroqServer endlessServer() {
    return FakeGroqServer.builder()
        .always(ResponseScript.builder().generatedText(100_000, i -> "w" + i + " ").tokensPerSecond(40).build())
        .build()
        .start();
  }

  private static String reference(int tokens) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      sb.append('w').append(i).append(' ');
    }
    return sb.toString();
  }

  private static void interrupt(Process p) throws Exception {
    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
  }

  @Test
  void ctrlCCancelsTheHttpCallAndStillPrintsTheJson() throws Exception {
    try (FakeGroqServer server = endlessServer()) {
      Process p = start(server, "--prompt", "Tell me everything", "--json");
      server.awaitChunks(0, 20, Duration.ofSeconds(30));
      interrupt(p);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Result r = result(p);
      assertThat(r.code()).as(r.stderr()).isEqualTo(130);
      JsonNode j = onlyJson(r);
      assertThat(j.get("state").asText()).isEqualTo("CANCELLED");
      assertThat(j.get("finishReason").asText()).isEqualTo("cancelled");
      assertThat(j.get("error").isNull()).isTrue();
      // The partial text is exactly what had arrived: a prefix of the answer, never anything else.
      assertThat(reference(5_000)).startsWith(j.get("text").asText());
      ConnectionRecord conn = server.awaitEnded(0, Duration.ofSeconds(10));
      assertThat(conn.ending()).isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    }
  }

  @Test
  void ctrlCAfterTextWasShownKeepsThatTextAndExits130() throws Exception {
    try (FakeGroqServer server = endlessServer()) {
      Process p = start(server, "--prompt", "Tell me everything");
      Path out = tmp.resolve("out.txt");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.readString(out, StandardCharsets.UTF_8).contains("w3 ") && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // poll the output
      }
      interrupt(p);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Result r = result(p);
      assertThat(r.code()).isEqualTo(130);
      assertThat(r.stdout()).startsWith("w0 w1 w2 w3 ");
      assertThat(reference(5_000)).startsWith(r.stdout().strip() + " ");
      assertThat(r.stderr()).contains("[stopped]");
      assertThat(server.awaitEnded(0, Duration.ofSeconds(10)).ending())
          .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    }
  }

  @Test
  void aMissingPromptIsAUsageErrorWithExitTwo() throws Exception {
    try (FakeGroqServer server = FakeGroqServer.builder().always(ResponseScript.text("x")).build().start()) {
      Result r = ask(server, "--json");
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.stderr()).contains("--prompt is required");
      assertThat(r.stderr().strip().lines()).as("one line: %s", r.stderr()).hasSize(1);
      assertThat(server.requests()).isEmpty();
    }
  }

  // ------------------------------------------------------------------ issue 18: answers that end, usage errors

  private static final String FINISH_NO_USAGE =
      "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},"
          + "\"finish_reason\":\"stop\"}]}";

  private static String textEvent(String text) {
    return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
        + "{\"content\":\"" + text + "\"},\"finish_reason\":null}]}";
  }

  @Test
  void aFinishWithoutUsageFollowedByKeepAlivesCompletesWithinSecondsWithDefaultSettings() throws Exception {
    ResponseScript script = ResponseScript.builder()
        .transcript("data: " + textEvent("All done.") + "\n\ndata: " + FINISH_NO_USAGE + "\n\n")
        .commentsAfter(2, Duration.ofMillis(100)).build();
    try (FakeGroqServer server = FakeGroqServer.builder().always(script).build().start()) {
      long start = System.nanoTime();
      Result r = ask(server, "--prompt", "x", "--json");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(r.code()).as(r.stderr()).isZero();
      JsonNode j = onlyJson(r);
      assertThat(j.get("state").asText()).isEqualTo("COMPLETED");
      assertThat(j.get("text").asText()).isEqualTo("All done.");
      assertThat(j.get("finishReason").asText()).isEqualTo("stop");
      assertThat(server.requests()).hasSize(1);
      assertThat(millis).as("completed by the 2 s usage grace, not by a timeout").isLessThan(30_000);
      System.out.println("ask, finish without usage then keep-alives: COMPLETED in " + millis + " ms (process)");
    }
  }

  @Test
  void keepAlivesAfterSomeTextAreNotProgressAndTheAnswerFailsAsATimeoutShownOnce() throws Exception {
    // the server ignores the prefill: every request restarts the answer, then sends only comments
    ResponseScript script = ResponseScript.builder().text("Hello there, this is the answer.")
        .chunking(dev.llmstream.testkit.Chunking.perToken())
        .commentsAfter(4, Duration.ofMillis(100)).build();
    try (FakeGroqServer server = FakeGroqServer.builder().always(script).build().start()) {
      long start = System.nanoTime();
      Result r = ask(server, "--prompt", "x", "--json", "--idle-timeout", "700ms", "--stall-timeout", "30s");
      System.out.println("ask, text then keep-alives (--idle-timeout 700ms): ended in "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms after " + server.requests().size()
          + " requests: " + r.stdout().strip());
      assertThat(r.code()).as(r.stderr()).isEqualTo(1);
      JsonNode j = onlyJson(r);
      assertThat(j.get("state").asText()).isEqualTo("FAILED");
      assertThat(j.get("error").get("type").asText()).isIn("TIMEOUT", "LIMIT_EXCEEDED");
      String text = j.get("text").asText();
      assertThat(text).isNotEmpty();
      assertThat("Hello there, this is the answer.").startsWith(text); // never repeated
      assertThat(server.requests()).hasSizeBetween(2, 6);
    }
  }

  @Test
  void headersThenSilenceFailsAsATimeoutAfterOneRequest() throws Exception {
    ResponseScript script = ResponseScript.builder().text("never").stallAfter(0).build();
    try (FakeGroqServer server = FakeGroqServer.builder().always(script).build().start()) {
      Result r = ask(server, "--prompt", "x", "--json", "--first-token-timeout", "800ms");
      assertThat(r.code()).as(r.stderr()).isEqualTo(1);
      JsonNode j = onlyJson(r);
      assertThat(j.get("state").asText()).isEqualTo("FAILED");
      assertThat(j.get("error").get("type").asText()).isEqualTo("TIMEOUT");
      assertThat(server.requests()).as("the prompt is not sent again to a silent model").hasSize(1);
    }
  }

  @Test
  void theCliCapEndsAsAFailedTimeoutNotAsCancelled() throws Exception {
    ResponseScript script = ResponseScript.builder().text("one two three four five six seven eight nine ten")
        .tokensPerSecond(4).build();
    try (FakeGroqServer server = FakeGroqServer.builder().always(script).build().start()) {
      Result r = ask(server, "--prompt", "x", "--json", "--max-time", "1500ms");
      assertThat(r.code()).as(r.stderr()).isEqualTo(1);
      JsonNode j = onlyJson(r);
      assertThat(j.get("state").asText()).isEqualTo("FAILED");
      assertThat(j.get("error").get("type").asText()).isEqualTo("TIMEOUT");
      assertThat(j.get("error").get("message").asText()).contains("--max-time");
      assertThat("one two three four five six seven eight nine ten").startsWith(j.get("text").asText());
    }
  }

  @Test
  void usageProblemsExitTwoWithOneLine() throws Exception {
    List<List<String>> cases = List.of(
        List.of("--prompt", "x", "--base-url", "https://llm.example.invalid/v1"),      // remote, no key
        List.of("--prompt", "x", "--api-key", "gsk_abc\u200bdef_secret_tail"),            // zero-width space
        List.of("--prompt", "x", "--api-key", "gsk_abc\u201cdef_secret_tail\u201d"),        // curly quotes
        List.of("--prompt", "x", "--base-url", "http://llm.example.invalid/v1", "--api-key", "k"), // plain http
        List.of("--prompt", "x", "--recovery", "sometimes"),
        List.of("--prompt", "x", "--idle-timeout", "soon"),
        List.of("--prompt", "x", "--max-requests", "0"),
        List.of("--prompt", "x", "--base-url", "not a url"));
    for (List<String> c : cases) {
      Process p = start(null, c.toArray(new String[0]));
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      Result r = result(p);
      assertThat(r.code()).as("%s: %s", c, r.stderr()).isEqualTo(2);
      assertThat(r.stderr().strip().lines()).as("%s: one line: %s", c, r.stderr()).hasSize(1);
      assertThat(r.stderr()).startsWith("error: ").doesNotContain("Exception").doesNotContain("\tat ")
          .doesNotContain("secret_tail");
      assertThat(r.stdout()).isEmpty();
    }
  }
}
