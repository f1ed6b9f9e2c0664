package dev.llmstream.groq.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module boundary as a modular application meets it: a small program whose descriptor says only
 * {@code requires dev.llmstream.groq;} is compiled with javac ({@code -Xlint:all -Werror}) and run in a child
 * JVM, both on the module path made of this module's runtime dependencies (written by the build to
 * {@code target/module-path.txt}) and no class path. It streams an answer from the testkit's fake server in
 * this JVM. A second program that imports an {@code internal} package must not compile.
 */
class ModulePathTest {
  private static final String ANSWER = "Hello from the module path!";

  @TempDir Path dir;

  @Test
  void aProgramThatRequiresOnlyTheGroqModuleCompilesAndStreams() throws Exception {
    Path src = dir.resolve("src");
    write(src.resolve("module-info.java"), "module app { requires dev.llmstream.groq; }");
    write(
        src.resolve("app/Main.java"),
        """
        package app;

        import dev.llmstream.core.ChatRequest;
        import dev.llmstream.core.ChatResponse;
        import dev.llmstream.core.StreamEvent;
        import dev.llmstream.core.UiConnection;
                import dev.llmstream.groq.GroqProvider;
        import java.net.http.HttpClient;

        public final class Main {
          private Main() {}

          public static void main(String[] args) {
            try (GroqProvider groq = GroqProvider.builder()
                .baseUrl(args[0])
                .apiKey("test-key")
                .defaultModel("test-model")
                .httpClient(HttpClient.newHttpClient())
                .build()) {
              UiConnection ui = UiConnection.connect(
                  groq.stream(ChatRequest.ofUser("Say hello")), (batch, full) -> { }, Runnable::run);
              ChatResponse response = ui.done().join();
              System.out.println("text=" + response.text());
              System.out.println("event=" + StreamEvent.class.getModule().getName());
            }
          }
        }
        """);
    Path classes = dir.resolve("classes");
    Compilation compiled = javac(src, classes);
    assertThat(compiled.exitCode).as(compiled.output).isZero();
    assertThat(compiled.output).as("no warnings for the user").isEmpty();

    try (FakeGroqServer server =
        FakeGroqServer.builder().always(ResponseScript.text(ANSWER)).build().start()) {
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElseThrow());
      command.add("--module-path");
      command.add(classes + java.io.File.pathSeparator + modulePath());
      command.add("--module");
      command.add("app/app.Main");
      command.add(server.baseUrl());
      Process process =
          new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
      process.getOutputStream().close();
      String output;
      try (var in = process.getInputStream()) {
        boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
          process.destroyForcibly();
        }
        assertThat(ended).as("the child ended within 60 s").isTrue();
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(process.exitValue()).as(output).isZero();
      assertThat(output)
          .contains("text=" + ANSWER)
          .contains("event=dev.llmstream.core")
          .doesNotContain("NoClassDefFoundError")
          .doesNotContain("IllegalAccessError");
      assertThat(server.requests()).hasSize(1);
    }
  }

  @Test
  void internalPackagesAreNotReachable() throws Exception {
    Path src = dir.resolve("src");
    write(src.resolve("module-info.java"), "module app { requires dev.llmstream.groq; }");
    write(
        src.resolve("app/Peek.java"),
        """
        package app;

        public final class Peek {
          private Peek() {}

          public static Object scanner() {
            return dev.llmstream.groq.internal.SseScanner.class;
          }

          public static Object core() {
            return dev.llmstream.core.internal.RecoveringSource.class;
          }
        }
        """);
    Compilation compiled = javac(src, dir.resolve("classes"));
    assertThat(compiled.exitCode).isNotZero();
    assertThat(compiled.output)
        .contains("package dev.llmstream.groq.internal is not visible")
        .contains("package dev.llmstream.core.internal is not visible");
  }

  private record Compilation(int exitCode, String output) {}

  private static Compilation javac(Path src, Path classes) throws IOException {
    List<String> args = new ArrayList<>(List.of(
        "-Xlint:all", "-Werror", "--release", "17",
        "--module-path", modulePath(), "-d", classes.toString()));
    try (var files = Files.walk(src)) {
      files.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int exit = ToolProvider.getSystemJavaCompiler()
        .run(null, print, print, args.toArray(String[]::new));
    return new Compilation(exit, out.toString(StandardCharsets.UTF_8));
  }

  /** This module's classes and its runtime dependencies, as the build wrote them. */
  private static String modulePath() throws IOException {
    Path listing = Path.of("target", "module-path.txt");
    assertThat(listing).as("written by the build (maven-dependency-plugin, generate-test-resources)").exists();
    String dependencies = Files.readString(listing).trim();
    return Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator + dependencies;
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}
