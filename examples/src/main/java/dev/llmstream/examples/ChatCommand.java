package dev.llmstream.examples;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiConnection;
import dev.llmstream.core.UiSink;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * {@code chat}: a terminal chat. Answers stream in place, a spinner shows while the model thinks,
 * Ctrl-C stops the current answer (not the program), {@code /quit} leaves.
 */
final class ChatCommand {
  private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

  private ChatCommand() {}

  static int run(List<String> argv, InputStream stdin, PrintStream out, PrintStream err) throws Exception {
    Args args =
        new Args(argv, Set.of("--base-url", "--api-key", "--model", "--system"), Set.of("--allow-insecure-http"));
    AtomicReference<@Nullable CancellationToken> current = new AtomicReference<>();
    boolean handled =
        onInterrupt(
            () -> {
              CancellationToken t = current.get();
              if (t != null) {
                t.cancel();
              } else {
                out.print("\n(type /quit to leave)\nyou> ");
                out.flush();
              }
            });
    // One terminal thread runs both the spinner and the sink, so output never interleaves.
    ScheduledExecutorService terminal =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "terminal");
              t.setDaemon(true);
              return t;
            });
    List<ChatMessage> history = new ArrayList<>();
    String system = args.get("--system");
    if (system != null) {
      history.add(ChatMessage.system(system));
    }
    try (Endpoint endpoint =
        Endpoint.open(args.get("--base-url"), args.get("--api-key"), args.get("--model"), args.has("--allow-insecure-http"))) {
      out.println("Chatting with " + endpoint.description() + ".");
      out.println(handled ? "Ctrl-C stops an answer; /quit leaves." : "/quit leaves.");
      BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
      while (true) {
        out.print("you> ");
        out.flush();
        String line = in.readLine();
        if (line == null || line.strip().equals("/quit")) {
          out.println();
          return 0;
        }
        if (line.isBlank()) {
          continue;
        }
        history.add(ChatMessage.user(line));
        CancellationToken token = CancellationToken.create();
        current.set(token);
        ChatResponse answer =
            answer(endpoint, ChatRequest.of(history), token, terminal, out, err);
        current.set(null);
        if (!answer.text().isEmpty() && answer.finishReason() != FinishReason.ERROR) {
          history.add(ChatMessage.assistant(answer.text()));
        } else {
          history.remove(history.size() - 1);
        }
      }
    } finally {
      terminal.shutdownNow();
    }
  }

  private static ChatResponse answer(
      Endpoint endpoint,
      ChatRequest request,
      CancellationToken token,
      ScheduledExecutorService terminal,
      PrintStream out,
      PrintStream err)
      throws InterruptedException {
    UiSink sink =
        new UiSink() {
          private @Nullable ScheduledFuture<?> spinner;
          private int frame;

          @Override
          public void onStart() {
            out.print("assistant> ");
            out.flush();
          }

          @Override
          public void onTyping(boolean typing) {
            if (typing && spinner == null) {
              spinner =
                  terminal.scheduleAtFixedRate(
                      () -> {
                        out.print(SPINNER[frame++ % SPINNER.length] + "\b");
                        out.flush();
                      },
                      0,
                      80,
                      TimeUnit.MILLISECONDS);
            } else if (!typing && spinner != null) {
              spinner.cancel(false);
              spinner = null;
              out.print(" \b");
            }
          }

          @Override
          public void onText(CharSequence batch, CharSequence fullText) {
            out.print(batch);
            out.flush();
          }

          @Override
          public void onRecovering(int attempt, String cause) {
            err.print(" [connection lost, resuming…] ");
          }

          @Override
          public void onCancelled(ChatResponse partial) {
            out.println();
            err.println("[stopped]");
          }

          @Override
          public void onCompleted(ChatResponse response) {
            out.println();
          }

          @Override
          public void onFailed(StreamException error, ChatResponse partial) {
            out.println();
            err.println("[error] " + error.getMessage());
          }
        };
    UiConnection connection =
        UiConnection.connect(endpoint.provider().stream(request, token), sink, terminal, UiConfig.defaults());
    AskCommand.Outcome outcome = AskCommand.await(connection);
    // Let the terminal thread finish printing before the next prompt.
    try {
      terminal.submit(() -> {}).get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // nothing left to wait for
    }
    return outcome.error() != null ? outcome.response().withFinishReason(FinishReason.ERROR) : outcome.response();
  }

  /** Installs a SIGINT handler through the JDK's sun.misc.Signal, when available. */
  static boolean onInterrupt(Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance("INT");
      Object handler =
          Proxy.newProxyInstance(
              handlerClass.getClassLoader(),
              new Class<?>[] {handlerClass},
              (proxy, method, a) -> {
                switch (method.getName()) {
                  case "handle":
                    action.run();
                    return null;
                  case "hashCode":
                    return System.identityHashCode(proxy);
                  case "equals":
                    return proxy == a[0];
                  default:
                    return "ChatCommand.SigIntHandler";
                }
              });
      signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }
}
