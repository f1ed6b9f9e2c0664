package dev.llmstream.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Starts an example program the way a user's shell does: with SIGINT at its default disposition. A
 * build run as a background job ({@code mvn verify &}, nohup, some CI runners) ignores SIGINT, an
 * ignored signal stays ignored across {@code exec}, and the JVM then installs no SIGINT handler at all:
 * Ctrl-C tests would see a program that cannot be interrupted. Where that is the case here, the child is
 * started through {@code perl} (essential on Debian), which resets SIGINT and execs the command (same
 * pid, so {@code kill -INT pid} reaches the JVM).
 */
final class Launch {
  private static final Path PERL = Path.of("/usr/bin/perl");

  private Launch() {}

  /** The command, prefixed so that the child starts with SIGINT at its default where needed. */
  static List<String> withDefaultSigint(List<String> command) {
    if (!sigintIgnoredHere()) {
      return command;
    }
    Assumptions.assumeTrue(
        Files.isExecutable(PERL),
        "SIGINT is ignored in this build (a background job) and " + PERL + " is not there to reset it for the child");
    List<String> c = new ArrayList<>(List.of(PERL.toString(), "-e", "$SIG{INT} = 'DEFAULT'; exec {$ARGV[0]} @ARGV or die \"exec: $!\";"));
    c.addAll(command);
    return c;
  }

  /** Whether this process ignores SIGINT (Linux: bit 2 of SigIgn in /proc/self/status). */
  static boolean sigintIgnoredHere() {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    try {
      for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
        if (line.startsWith("SigIgn:")) {
          long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
          return (mask & (1L << (2 - 1))) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    return false;
  }
}
