package dev.llmstream.examples.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One browser tab's conversation: the finished turns and at most one running answer. Thread-safe; the
 * lock is never held while an answer is started or while the sink runs.
 */
final class ChatSession {
  private static final int MAX_TURNS = 200;
  private static final String SYSTEM_PROMPT =
      "You are a helpful assistant. Answer clearly; use Markdown where it helps.";

  /** Starts an answer for a session. */
  @FunctionalInterface
  interface RunFactory {
    AnswerRun start(ChatSession session, ChatRequest request);
  }

  /** A finished (or user) turn as the page shows it. */
  record Turn(
      String role,
      String text,
      @Nullable String reasoning,
      String state,
      @Nullable String finishReason,
      @Nullable String errorType,
      @Nullable String errorMessage) {}

  private final String id;
  private final List<Turn> history = new ArrayList<>();
  private boolean starting;
  private @Nullable AnswerRun running;
  private @Nullable AnswerRun lastFinished;

  ChatSession(String id) {
    this.id = id;
  }

  String id() {
    return id;
  }

  /** Adds the user's message and starts the answer; null if an answer is already running. */
  @Nullable AnswerRun ask(String message, RunFactory factory) {
    ChatRequest request;
    synchronized (this) {
      if (running != null || starting) {
        return null;
      }
      if (history.size() >= MAX_TURNS) {
        history.subList(0, 2).clear();
      }
      history.add(new Turn("user", message, null, "COMPLETED", null, null, null));
      request = request();
      starting = true;
    }
    return launch(factory, request);
  }

  /** Answers the last question again (after a failure); null if there is nothing to retry. */
  @Nullable AnswerRun retry(RunFactory factory) {
    ChatRequest request;
    synchronized (this) {
      if (running != null || starting || history.isEmpty()) {
        return null;
      }
      Turn last = history.get(history.size() - 1);
      if (last.role().equals("assistant") && !last.state().equals("FAILED")) {
        return null;
      }
      request = request();
      starting = true;
    }
    return launch(factory, request);
  }

  private AnswerRun launch(RunFactory factory, ChatRequest request) {
    AnswerRun run;
    try {
      run = factory.start(this, request);
    } finally {
      synchronized (this) {
        starting = false;
      }
    }
    synchronized (this) {
      if (!run.isFinished()) {
        running = run;
      }
    }
    return run;
  }

  /** Called once by a run when its answer ended. */
  void finished(AnswerRun run, Turn answer) {
    synchronized (this) {
      history.add(answer);
      if (running == run) {
        running = null;
      }
      lastFinished = run;
    }
  }

  synchronized @Nullable AnswerRun lastFinishedRun() {
    return lastFinished;
  }

  /** The model's view of the conversation: failed answers are left out, stopped ones kept. */
  private ChatRequest request() {
    ChatRequest.Builder b = ChatRequest.builder().addMessage(ChatMessage.system(SYSTEM_PROMPT));
    for (Turn t : history) {
      if (t.role().equals("user")) {
        b.addMessage(ChatMessage.user(t.text()));
      } else if (!t.state().equals("FAILED") && !t.text().isEmpty()) {
        b.addMessage(ChatMessage.assistant(t.text()));
      }
    }
    return b.build();
  }

  synchronized ObjectNode toJson(ObjectMapper json) {
    ObjectNode out = json.createObjectNode();
    ArrayNode h = out.putArray("history");
    for (Turn t : history) {
      ObjectNode n = h.addObject();
      n.put("role", t.role()).put("text", t.text()).put("state", t.state());
      n.put("reasoning", t.reasoning());
      n.put("finishReason", t.finishReason());
      if (t.errorType() != null) {
        n.putObject("error").put("type", t.errorType()).put("message", t.errorMessage());
      } else {
        n.putNull("error");
      }
    }
    if (running != null) {
      out.put("running", running.id());
    } else {
      out.putNull("running");
    }
    return out;
  }
}
