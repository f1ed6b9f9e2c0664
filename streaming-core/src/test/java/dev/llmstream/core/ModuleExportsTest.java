package dev.llmstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module boundary of core as {@code jar --describe-module} shows it (issue #12): the API packages are
 * exported to every module and nothing else is exported, qualified exports ({@code exports ... to}) included:
 * our own provider uses the {@code spi} package like any other. Reads the compiled descriptor (a directory
 * in the build, or the jar).
 */
class ModuleExportsTest {

  @Test
  void onlyTheApiPackagesAreExportedAndToEveryone() throws Exception {
    ModuleDescriptor descriptor = descriptor();
    assertThat(descriptor.name()).isEqualTo("dev.llmstream.core");
    assertThat(descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("dev.llmstream.core", "dev.llmstream.core.spi");
    assertThat(descriptor.exports()).allSatisfy(e -> assertThat(e.isQualified()).as("%s", e).isFalse());
    assertThat(descriptor.opens()).isEmpty();
  }

  private static ModuleDescriptor descriptor() throws Exception {
    Path root = Paths.get(TokenStream.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (Files.isDirectory(root)) {
      try (InputStream in = Files.newInputStream(root.resolve("module-info.class"))) {
        return ModuleDescriptor.read(in);
      }
    }
    try (JarFile jar = new JarFile(root.toFile());
        InputStream in = jar.getInputStream(jar.getEntry("module-info.class"))) {
      return ModuleDescriptor.read(in);
    }
  }
}
