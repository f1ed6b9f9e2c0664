package dev.llmstream.examples.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.FinishReason;
import dev.llmstream.web.RunResult;
import dev.llmstream.web.spi.RunStatus;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One conversation (a browser tab of one owner): the finished turns and at most one running answer.
 * Thread-safe; the lock is never held while an answer is started.
 */
final class ChatSession {
  private static final int MAX_TURNS = 200;
  private static final String SYSTEM_PROMPT =
      "You are a helpful assistant. Answer clearly; use Markdown where it helps.";

  /** A finished (or user) turn as the page shows it. */
  record Turn(
      String role,
      String text,
      @Nullable String reasoning,
      String state,
      @Nullable String finishReason,
      @Nullable String errorType,
      @Nullable String errorMessage) {}

  private final List<Turn> history = new ArrayList<>();
  private boolean starting;
  private @Nullable String running;
  private final List<String> endedEarly = new ArrayList<>(); // runs that ended before start() returned
  private volatile long lastUsed; // a server-wide use counter: the least recently used idle chat goes first

  ChatSession touch(long useCounter) {
    lastUsed = useCounter;
    return this;
  }

  long lastUsed() {
    return lastUsed;
  }

  /** Whether no answer is running or starting (the chat may be forgotten). */
  synchronized boolean isIdle() {
    return running == null && !starting;
  }

  /**
   * Adds the user's message and returns the request to answer; null if an answer is running or starting.
   */
  synchronized @Nullable ChatRequest ask(String message) {
    if (running != null || starting) {
      return null;
    }
    if (history.size() >= MAX_TURNS) {
      history.subList(0, 2).clear();
    }
    history.add(new Turn("user", message, null, "COMPLETED", null, null, null));
    starting = true;
    return request();
  }

  /** The request that answers the last question again (after a failure); null if there is nothing to retry. */
  synchronized @Nullable ChatRequest retry() {
    if (running != null || starting || history.isEmpty()) {
      return null;
    }
    Turn last = history.get(history.size() - 1);
    if (last.role().equals("assistant") && !last.state().equals("FAILED")) {
      return null;
    }
    starting = true;
    return request();
  }

  /** The answer started as {@code runId} (unless it already ended). */
  synchronized void started(String runId, boolean fromAsk, @Nullable Throwable failure) {
    starting = false;
    if (failure != null) {
      if (fromAsk && !history.isEmpty()) {
        history.remove(history.size() - 1); // the question was not taken: the page keeps it in the box
      }
      return;
    }
    if (!endedEarly.remove(runId)) {
      running = runId;
    }
  }

  /** Called once when a run of this conversation ended. */
  synchronized void finished(RunResult r) {
    FinishReason fr = r.response().finishReason();
    history.add(
        new Turn(
            "assistant",
            r.response().text(),
            r.response().reasoning(),
            r.status().name(),
            fr == null ? null : fr.wireName(),
            r.error() == null ? null : r.error().kind().name(),
            r.error() == null ? null : r.error().getMessage()));
    if (r.runId().equals(running)) {
      running = null;
    } else if (starting) {
      endedEarly.add(r.runId()); // ended before start() returned its id
    }
  }

  /** The model's view of the conversation: failed answers are left out, stopped ones kept. */
  private ChatRequest request() {
    List<ChatMessage> messages = new ArrayList<>();
    messages.add(ChatMessage.system(SYSTEM_PROMPT));
    for (Turn t : history) {
      if (t.role().equals("user")) {
        messages.add(ChatMessage.user(t.text()));
      } else if (!t.state().equals(RunStatus.FAILED.name()) && !t.text().isEmpty()) {
        messages.add(ChatMessage.assistant(t.text()));
      }
    }
    return ChatRequest.of(messages);
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
    out.put("running", running);
    return out;
  }
}
