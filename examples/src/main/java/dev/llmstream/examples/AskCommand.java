package dev.llmstream.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.ToolCall;
import dev.llmstream.core.UiConnection;
import dev.llmstream.core.UiSink;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.time.Duration;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.groq.GroqProvider;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * {@code ask}: one question, the answer streamed to stdout; for scripts. With {@code --json} stdout holds
 * nothing but one JSON object at the end:
 *
 * <pre>{"state": "COMPLETED"|"CANCELLED"|"FAILED", "text", "reasoning" (or null),
 *  "toolCalls": [{"id","name","arguments"}], "finishReason", "usage": {"promptTokens",
 *  "completionTokens","totalTokens"} (or null), "timeToFirstTokenMs", "error": {"type","status",
 *  "message"} (or null)}</pre>
 *
 * Exit codes: 0 completed, 1 failed, 2 bad command line, 130 cancelled by SIGINT (Ctrl-C); the JSON
 * still comes out on Ctrl-C, with the partial text.
 */
final class AskCommand {
  static final String USAGE =
      "ask --prompt TEXT [--base-url URL] [--api-key KEY] [--model M] [--system TEXT]"
          + " [--max-tokens N] [--json] [--allow-insecure-http]\n"
          + "       [--connect-timeout D] [--first-token-timeout D] [--idle-timeout D] [--stall-timeout D]"
          + " [--max-time D]\n"
          + "       [--recovery continue|restart|fail] [--max-retries N] [--max-requests N]"
          + "   (D: 500ms, 30s, 2m)";

  /** The CLI's own cap on one answer (--max-time); ends as FAILED with a TIMEOUT error. */
  static final Duration DEFAULT_MAX_TIME = Duration.ofMinutes(10);

  private static final Set<String> VALUED =
      Set.of("--prompt", "--base-url", "--api-key", "--model", "--system", "--max-tokens", "--connect-timeout",
          "--first-token-timeout", "--idle-timeout", "--stall-timeout", "--max-time", "--recovery",
          "--max-retries", "--max-requests");
  private static final Set<String> FLAGS = Set.of("--json", "--allow-insecure-http");

  private AskCommand() {}

  static int run(List<String> argv, PrintStream out, PrintStream err) throws InterruptedException {
    Args args = new Args(argv, VALUED, FLAGS);
    String prompt = args.require("--prompt");
    int maxTokens = args.intValue("--max-tokens", 0, 1);
    boolean json = args.has("--json");
    String system = args.get("--system");
    ChatRequest request = system != null
        ? ChatRequest.of(List.of(ChatMessage.system(system), ChatMessage.user(prompt)))
        : ChatRequest.ofUser(prompt);
    if (maxTokens > 0) {
      request = request.withMaxTokens(maxTokens);
    }
    Duration maxTime = args.duration("--max-time", DEFAULT_MAX_TIME);
    Consumer<GroqProvider.Builder> tuning = tuning(args);
    try (Endpoint endpoint =
        Endpoint.open(
            args.get("--base-url"), args.get("--api-key"), args.get("--model"), args.has("--allow-insecure-http"),
            tuning)) {
      return ask(endpoint, request, maxTokens, json, maxTime, out, err);
    }
  }

  /** The provider settings given on the command line (validated here: a bad value is a usage error). */
  private static Consumer<GroqProvider.Builder> tuning(Args args) {
    Duration connect = args.duration("--connect-timeout", null);
    Duration firstToken = args.duration("--first-token-timeout", null);
    Duration idle = args.duration("--idle-timeout", null);
    Duration stall = args.duration("--stall-timeout", null);
    int retries = args.intValue("--max-retries", -1, 0);
    int requests = args.intValue("--max-requests", -1, 1);
    RecoveryPolicy recovery = recovery(args.get("--recovery"));
    return b -> {
      if (connect != null) {
        b.connectTimeout(connect);
      }
      if (firstToken != null) {
        b.firstTokenTimeout(firstToken);
      }
      if (idle != null) {
        b.idleTimeout(idle);
      }
      if (stall != null) {
        b.stallTimeout(stall);
      }
      if (retries >= 0) {
        b.maxRetries(retries);
      }
      if (requests >= 0) {
        b.maxRequestsPerAnswer(requests);
      }
      if (recovery != null) {
        b.recovery(recovery);
      }
    };
  }

  private static @Nullable RecoveryPolicy recovery(@Nullable String name) {
    if (name == null) {
      return null;
    }
    switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "continue":
        return RecoveryPolicy.defaults();
      case "restart":
      case "restart-dedupe":
      case "restart_dedupe":
        return RecoveryPolicy.defaults().withStrategy(RecoveryPolicy.Strategy.RESTART_DEDUPE);
      case "fail":
        return RecoveryPolicy.disabled();
      default:
        throw new Args.UsageException("--recovery must be continue, restart or fail, was '" + name + "'");
    }
  }

  private static int ask(
      Endpoint endpoint,
      ChatRequest request,
      int maxTokens,
      boolean json,
      Duration maxTime,
      PrintStream out,
      PrintStream err)
      throws InterruptedException {
    CancellationToken token = CancellationToken.create();
    long start = System.nanoTime();
    long[] firstToken = {-1};
    UiSink sink =
        new UiSink() {
          @Override
          public void onText(CharSequence batch, CharSequence fullText) {
            markFirst();
            if (!json) {
              out.print(batch);
              out.flush();
            }
          }

          @Override
          public void onReasoning(CharSequence batch, CharSequence fullReasoning) {
            markFirst();
          }

          @Override
          public void onToolCall(dev.llmstream.core.StreamEvent.ToolCallDelta fragment) {
            markFirst();
          }

          private void markFirst() {
            if (firstToken[0] < 0) {
              firstToken[0] = System.nanoTime();
            }
          }
        };
    // The sink runs on the thread delivering the stream: printing is all it does.
    UiConnection connection =
        UiConnection.connect(endpoint.provider().stream(request, token), sink, Runnable::run);

    CountDownLatch printed = new CountDownLatch(1);
    boolean[] interrupted = {false};
    Thread hook =
        new Thread(
            () -> {
              synchronized (interrupted) {
                interrupted[0] = true;
              }
              token.cancel(); // aborts the HTTP exchange; the answer ends as CANCELLED
              try {
                printed.await(5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "ask-sigint");
    Runtime.getRuntime().addShutdownHook(hook);

    Outcome outcome = await(connection, maxTime);
    long ttft = firstToken[0] < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(firstToken[0] - start);
    if (json) {
      out.println(toJson(outcome, ttft));
    } else {
      if (!outcome.response.text().endsWith("\n")) {
        out.println();
      }
      if (outcome.state.equals("CANCELLED")) {
        err.println("[stopped]");
      } else if (outcome.error != null) {
        err.println("error: " + outcome.error.getMessage());
      }
    }
    out.flush();
    boolean bySignal;
    synchronized (interrupted) {
      bySignal = interrupted[0];
    }
    printed.countDown();
    if (bySignal) {
      return 130;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      return 130;
    }
    return outcome.state.equals("COMPLETED") ? 0 : outcome.state.equals("CANCELLED") ? 130 : 1;
  }

  /** How the answer ended. */
  record Outcome(String state, ChatResponse response, @Nullable StreamException error) {}

  static Outcome await(UiConnection connection) throws InterruptedException {
    return await(connection, DEFAULT_MAX_TIME);
  }

  static Outcome await(UiConnection connection, Duration maxTime) throws InterruptedException {
    try {
      ChatResponse r = connection.done().get(maxTime.toNanos(), TimeUnit.NANOSECONDS);
      String state =
          r.finishReason() == dev.llmstream.core.FinishReason.CANCELLED ? "CANCELLED" : "COMPLETED";
      return new Outcome(state, r, null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StreamException se) {
        return new Outcome("FAILED", se.partial(), se);
      }
      if (cause instanceof java.util.concurrent.CancellationException) {
        return new Outcome("CANCELLED", ChatResponse.EMPTY, null);
      }
      StreamException wrapped =
          new StreamException(
              dev.llmstream.core.ErrorKind.UNKNOWN,
              String.valueOf(cause),
              StreamException.NO_STATUS,
              null,
              cause);
      return new Outcome("FAILED", ChatResponse.EMPTY, wrapped);
    } catch (java.util.concurrent.CancellationException e) {
      return new Outcome("CANCELLED", ChatResponse.EMPTY, null);
    } catch (TimeoutException e) {
      // the CLI's own cap: not the user's Ctrl-C, so a failure (TIMEOUT) with whatever had arrived
      connection.cancel();
      ChatResponse partial = ChatResponse.EMPTY;
      try {
        partial = connection.done().get(5, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException ignored) {
        // nothing more to hand back than an empty answer
      }
      StreamException timeout =
          new StreamException(
              dev.llmstream.core.ErrorKind.TIMEOUT,
              "The answer did not finish within --max-time " + maxTime.toMillis() + " ms; stopped",
              StreamException.NO_STATUS,
              null,
              null);
      return new Outcome("FAILED", partial, timeout);
    }
  }

  static String toJson(Outcome o, long ttftMillis) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    ChatResponse r = o.response;
    root.put("state", o.state);
    root.put("text", r.text());
    if (r.reasoning() == null) {
      root.putNull("reasoning");
    } else {
      root.put("reasoning", r.reasoning());
    }
    ArrayNode calls = root.putArray("toolCalls");
    for (ToolCall c : r.toolCalls()) {
      calls.addObject().put("id", c.id()).put("name", c.name()).put("arguments", c.arguments());
    }
    if (r.finishReason() == null) {
      root.putNull("finishReason");
    } else {
      root.put("finishReason", r.finishReason().wireName());
    }
    if (r.usage() == null) {
      root.putNull("usage");
    } else {
      root.putObject("usage")
          .put("promptTokens", r.usage().promptTokens())
          .put("completionTokens", r.usage().completionTokens())
          .put("totalTokens", r.usage().totalTokens());
    }
    if (ttftMillis < 0) {
      root.putNull("timeToFirstTokenMs");
    } else {
      root.put("timeToFirstTokenMs", ttftMillis);
    }
    if (o.error == null) {
      root.putNull("error");
    } else {
      ObjectNode e = root.putObject("error");
      e.put("type", o.error.kind().name());
      if (o.error.status() == StreamException.NO_STATUS) {
        e.putNull("status");
      } else {
        e.put("status", o.error.status());
      }
      e.put("message", o.error.getMessage());
    }
    try {
      return mapper.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static PrintStream utf8(java.io.OutputStream os) {
    return new PrintStream(os, true, StandardCharsets.UTF_8);
  }
}
