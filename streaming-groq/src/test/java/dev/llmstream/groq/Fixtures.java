package dev.llmstream.groq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Locates the recorded streams in {@code ../shared/fixtures/groq}. */
final class Fixtures {
  private Fixtures() {}

  static Path dir() {
    String prop = System.getProperty("llmstream.fixtures");
    if (prop != null && Files.isDirectory(Paths.get(prop, "groq"))) {
      return Paths.get(prop, "groq").toAbsolutePath().normalize();
    }
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared/fixtures/groq");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "Recorded fixtures not found: set -Dllmstream.fixtures or keep ../shared/fixtures next to the project");
  }

  static List<String> names() {
    try (Stream<Path> files = Files.list(dir())) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".sse"))
          .map(n -> n.substring(0, n.length() - 4))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(String file) {
    try {
      return Files.readAllBytes(dir().resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
