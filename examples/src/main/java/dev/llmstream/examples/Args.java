package dev.llmstream.examples;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Minimal {@code --name value} / {@code --flag} parser; unknown options are an error. */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final Set<String> flags = new HashSet<>();

  /** Thrown for bad command lines; the message is shown with the usage. */
  static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  Args(List<String> args, Set<String> valued, Set<String> booleans) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (booleans.contains(a)) {
        flags.add(a);
      } else if (valued.contains(a)) {
        if (i + 1 >= args.size()) {
          throw new UsageException(a + " needs a value");
        }
        values.put(a, args.get(++i));
      } else {
        throw new UsageException("unknown option: " + a);
      }
    }
  }

  @Nullable String get(String name) {
    return values.get(name);
  }

  String require(String name) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      throw new UsageException(name + " is required");
    }
    return v;
  }

  int intValue(String name, int dflt, int min) {
    String v = values.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min) {
        throw new UsageException(name + " must be >= " + min + ", was " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a whole number, was '" + v + "'");
    }
  }

  /**
   * A duration such as {@code 500ms}, {@code 30s}, {@code 2m} or {@code 1h} (a bare number is seconds).
   */
  @Nullable Duration duration(String name, @Nullable Duration dflt) {
    String v = values.get(name);
    if (v == null) {
      return dflt;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)?").matcher(v.trim().toLowerCase(java.util.Locale.ROOT));
    if (!m.matches()) {
      throw new UsageException(name + " must be a duration such as 500ms, 30s or 2m, was '" + v + "'");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    Duration d = unit.equals("ms") ? Duration.ofMillis(n) : unit.equals("s") ? Duration.ofSeconds(n)
        : unit.equals("m") ? Duration.ofMinutes(n) : Duration.ofHours(n);
    if (d.isZero()) {
      throw new UsageException(name + " must be positive, was '" + v + "'");
    }
    return d;
  }

  boolean has(String flag) {
    return flags.contains(flag);
  }
}
