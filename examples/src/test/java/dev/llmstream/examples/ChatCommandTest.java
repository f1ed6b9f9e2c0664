package dev.llmstream.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The terminal chat as a real process: multi-turn history, Ctrl-C (SIGINT) stops the current answer
 * but not the program, {@code /quit} leaves.
 */
class ChatCommandTest {

  private static ResponseScript script(RecordedRequest request) {
    String prompt = request.lastUserMessage();
    if (prompt.startsWith("long")) {
      return ResponseScript.builder().generatedText(100_000, i -> "x" + i + " ").tokensPerSecond(40).build();
    }
    return ResponseScript.text("Reply to " + prompt + ".");
  }

  @Test
  void ctrlCStopsTheAnswerNotTheProgramAndQuitLeaves() throws Exception {
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(ChatCommandTest::script).build().start()) {
      ProcessBuilder pb =
          new ProcessBuilder(
              Launch.withDefaultSigint(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-cp",
                      System.getProperty("java.class.path"),
                      "dev.llmstream.examples.Main",
                      "chat",
                      "--base-url",
                      server.baseUrl())));
      pb.environment().remove("GROQ_API_KEY");
      pb.redirectErrorStream(true);
      Process p = pb.start();
      LinkedBlockingQueue<String> out = new LinkedBlockingQueue<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  int c;
                  StringBuilder sb = new StringBuilder();
                  while ((c = r.read()) >= 0) {
                    sb.append((char) c);
                    if (c == '\n' || sb.toString().endsWith("you> ")) {
                      out.add(sb.toString());
                      sb.setLength(0);
                    }
                  }
                } catch (java.io.IOException e) {
                  out.add("<io error " + e + ">");
                }
              });
      reader.setDaemon(true);
      reader.start();
      OutputStream in = p.getOutputStream();
      List<String> seen = new ArrayList<>();

      awaitLine(out, seen, "you> ");
      in.write("hello\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      awaitLine(out, seen, "Reply to hello.");
      awaitLine(out, seen, "you> ");

      in.write("long story please\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      server.awaitChunks(1, 5, Duration.ofSeconds(30));
      new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
      awaitLine(out, seen, "[stopped]");
      assertThat(server.awaitEnded(1, Duration.ofSeconds(10)).ending())
          .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
      awaitLine(out, seen, "you> ");
      assertThat(p.isAlive()).as("Ctrl-C stopped the answer, not the program").isTrue();

      in.write("again\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      awaitLine(out, seen, "Reply to again.");
      // Multi-turn: the third request carried the earlier turns, the stopped answer's partial included.
      List<?> messages = (List<?>) server.requests().get(2).json().get("messages");
      assertThat(messages).hasSize(5);
      assertThat(((Map<?, ?>) messages.get(3)).get("role")).isEqualTo("assistant");
      assertThat((String) ((Map<?, ?>) messages.get(3)).get("content")).startsWith("x0 x1 x2");

      awaitLine(out, seen, "you> ");
      in.write("/quit\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    }
  }

  private static void awaitLine(LinkedBlockingQueue<String> out, List<String> seen, String expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      String line = out.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.add(line);
        if (line.contains(expected)) {
          return;
        }
      }
    }
    throw new AssertionError("did not see '" + expected + "' in: " + seen);
  }
}
