package dev.llmstream.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code streaming-examples.jar}: {@code web} (default), {@code chat}, {@code ask},
 * {@code swing}.
 */
public final class Main {
  private Main() {}

  /**
   * Runs an example.
   *
   * @param args the example's name, then its options
   * @throws Exception if the example fails to start
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = AskCommand.utf8(new java.io.FileOutputStream(java.io.FileDescriptor.out));
    PrintStream err = AskCommand.utf8(new java.io.FileOutputStream(java.io.FileDescriptor.err));
    List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
    String command = args.length == 0 ? "web" : args[0];
    int code;
    try {
      switch (command) {
        case "web":
          code = WebCommand.run(rest, out);
          break;
        case "chat":
          code = ChatCommand.run(rest, System.in, out, err);
          break;
        case "ask":
          code = AskCommand.run(rest, out, err);
          break;
        case "swing":
          code = SwingSinkExample.run(rest, out);
          break;
        case "-h":
        case "--help":
        case "help":
          usage(out);
          code = 0;
          break;
        default:
          err.println("unknown example: " + command);
          usage(err);
          code = 2;
      }
    } catch (IllegalArgumentException e) { // Args.UsageException included: one line, exit 2
      err.println("error: " + oneLine(e.getMessage()) + " (--help shows the usage)");
      code = 2;
    }
    out.flush();
    err.flush();
    if (code >= 0) {
      System.exit(code);
    }
  }

  private static String oneLine(@org.jspecify.annotations.Nullable String message) {
    return String.valueOf(message).replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }

  private static void usage(PrintStream s) {
    s.println("usage: java -jar examples/target/streaming-examples.jar <example> [options]");
    s.println("  web  [--port 8080] [--host 127.0.0.1] [--base-url URL] [--api-key KEY] [--model M] [--redis redis://HOST:PORT]");
    s.println("       browser chat with Stop, resume after reload, retry");
    s.println("  chat [--base-url URL] [--api-key KEY] [--model M]   terminal chat; Ctrl-C stops an answer, /quit leaves");
    s.println("  " + AskCommand.USAGE);
    s.println("       one-shot answer for scripts; exit 0 completed, 1 failed, 2 usage, 130 Ctrl-C");
    s.println("  swing [--base-url URL] [--api-key KEY] [--model M]  a Swing window fed by a custom UiSink");
    s.println("Without --base-url and GROQ_API_KEY an embedded simulated Groq server answers (no network).");
  }
}
