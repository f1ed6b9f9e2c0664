package dev.llmstream.spring.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The starter as a modular Spring Boot application meets it: a program whose descriptor says only
 * {@code requires dev.llmstream.spring;} is compiled with javac and run in a child JVM, both on a module path
 * made of this module's dependencies (written by the build to {@code target/module-path.txt}: Spring's jars
 * as automatic modules, with the optional integrations) and no class path. Spring Boot's auto-configuration
 * builds the provider and the answer runs from properties, and the program streams an answer from the
 * testkit's fake server in this JVM. A second program that imports the {@code internal} package must not
 * compile.
 */
class ModulePathTest {
  private static final String ANSWER = "Hello from a modular Spring application!";

  @TempDir Path dir;

  @Test
  void aSpringBootProgramThatRequiresOnlyTheStarterStartsAndStreams() throws Exception {
    Path src = dir.resolve("src");
    // open: Spring reflects into the application's own configuration class
    write(src.resolve("module-info.java"), "open module app { requires dev.llmstream.spring; }");
    write(
        src.resolve("app/Main.java"),
        """
        package app;

        import dev.llmstream.core.ChatProvider;
        import dev.llmstream.core.ChatRequest;
        import dev.llmstream.core.UiConnection;
        import dev.llmstream.web.AnswerRuns;
        import org.springframework.boot.SpringApplication;
        import org.springframework.boot.SpringBootConfiguration;
        import org.springframework.boot.WebApplicationType;
        import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
        import org.springframework.context.ConfigurableApplicationContext;

        @SpringBootConfiguration(proxyBeanMethods = false)
        @EnableAutoConfiguration
        public class Main {
          public static void main(String[] args) {
            SpringApplication application = new SpringApplication(Main.class);
            application.setWebApplicationType(WebApplicationType.NONE);
            try (ConfigurableApplicationContext context = application.run(
                "--llmstream.groq.base-url=" + args[0],
                "--llmstream.groq.api-key=test-key",
                "--llmstream.groq.model=test-model",
                "--spring.main.banner-mode=off")) {
              ChatProvider provider = context.getBean(ChatProvider.class);
              String text = UiConnection.connect(
                      provider.stream(ChatRequest.ofUser("Say hello")), (batch, full) -> { }, Runnable::run)
                  .done().join().text();
              System.out.println("text=" + text);
              System.out.println("runs=" + context.getBean(AnswerRuns.class).getClass().getModule().getName());
            }
          }
        }
        """);
    Path classes = dir.resolve("classes");
    Compilation compiled = javac(src, classes);
    assertThat(compiled.exitCode).as(compiled.output).isZero();

    try (FakeGroqServer server =
        FakeGroqServer.builder().always(ResponseScript.text(ANSWER)).build().start()) {
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElseThrow());
      command.add("--module-path");
      command.add(classes + File.pathSeparator + modulePath());
      command.add("--module");
      command.add("app/app.Main");
      command.add(server.baseUrl());
      Compilation ran = run(command);
      String output = ran.output;
      assertThat(ran.exitCode).as(output).isZero();
      assertThat(output)
          .contains("text=" + ANSWER)
          .contains("runs=dev.llmstream.web")
          .doesNotContain("IllegalAccess")
          .doesNotContain("InaccessibleObjectException");
      assertThat(server.requests()).hasSize(1);
    }
  }

  @Test
  void theInternalPackageIsNotReachable() throws Exception {
    Path src = dir.resolve("src");
    write(src.resolve("module-info.java"), "module app { requires dev.llmstream.spring; }");
    write(
        src.resolve("app/Peek.java"),
        """
        package app;

        public final class Peek {
          private Peek() {}

          public static Object service() {
            return dev.llmstream.spring.internal.RelayService.class;
          }
        }
        """);
    Compilation compiled = javac(src, dir.resolve("classes"));
    assertThat(compiled.exitCode).isNotZero();
    assertThat(compiled.output).contains("package dev.llmstream.spring.internal is not visible");
  }

  private record Compilation(int exitCode, String output) {}

  /** Runs the JDK's javac in a child process (the tests run inside the starter's module, which reads no compiler). */
  private static Compilation javac(Path src, Path classes) throws IOException, InterruptedException {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    List<String> args = new ArrayList<>(List.of(
        java.resolveSibling("javac").toString(),
        "--release", "17", "--module-path", modulePath(), "-d", classes.toString()));
    try (var files = Files.walk(src)) {
      files.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
    }
    return run(args);
  }

  private static Compilation run(List<String> command) throws IOException, InterruptedException {
    Path log = Files.createTempFile("module-path-test", ".log");
    try {
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.PIPE)
          .start();
      process.getOutputStream().close();
      boolean ended = process.waitFor(120, TimeUnit.SECONDS);
      if (!ended) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(ended).as("the child ended within 120 s: %s", output).isTrue();
      return new Compilation(process.exitValue(), output);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** This module's classes and its dependencies, as the build wrote them. */
  private static String modulePath() throws IOException {
    Path listing = Path.of("target", "module-path.txt");
    assertThat(listing).as("written by the build (maven-dependency-plugin, generate-test-resources)").exists();
    String dependencies = Files.readString(listing).trim();
    return Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + dependencies;
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}
