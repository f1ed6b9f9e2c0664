package dev.llmstream.examples.spring;

import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.FinishReason;
import dev.llmstream.spring.ChatRequestFactory;
import dev.llmstream.web.RunResult;
import dev.llmstream.web.spi.RunStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The example's conversations, in memory: the starter asks it for each request (so the model sees the
 * conversation so far) and tells it how each answer ended; the page reads it back on reload
 * ({@code GET /api/chats/{chat}}), including the running answer to resume. Bounded: the least recently
 * used conversations beyond {@value #MAX_CONVERSATIONS} are forgotten, and each keeps its last
 * {@value #MAX_TURNS} turns. Thread-safe: one lock for the map, one per conversation, no user code under
 * either.
 */
final class ChatMemory implements ChatRequestFactory {
  static final int MAX_CONVERSATIONS = 10_000;
  static final int MAX_TURNS = 100;

  /** One turn as the page shows it. */
  record Turn(
      String role,
      String text,
      @Nullable String reasoning,
      String state,
      @Nullable String finishReason,
      @Nullable Map<String, String> error) {}

  /** What the page gets on load. */
  record View(List<Turn> history, @Nullable String running) {}

  private final @Nullable String systemPrompt;
  private final Map<String, Conversation> conversations =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Conversation> eldest) {
          return size() > MAX_CONVERSATIONS;
        }
      };

  ChatMemory(@Nullable String systemPrompt) {
    this.systemPrompt = systemPrompt == null || systemPrompt.isBlank() ? null : systemPrompt;
  }

  @Override
  public ChatRequest create(String owner, String chat, String message) {
    List<Turn> turns = conversation(owner, chat).ask(message);
    List<ChatMessage> messages = new ArrayList<>();
    if (systemPrompt != null) {
      messages.add(ChatMessage.system(systemPrompt));
    }
    for (Turn t : turns) {
      if (t.role().equals("user")) {
        messages.add(ChatMessage.user(t.text()));
      } else if (!t.state().equals(RunStatus.FAILED.name()) && !t.text().isEmpty()) {
        messages.add(ChatMessage.assistant(t.text()));
      }
    }
    return ChatRequest.of(messages);
  }

  @Override
  public void refused(String owner, String chat) {
    conversation(owner, chat).dropQuestion();
  }

  @Override
  public void started(String owner, String chat, String runId) {
    conversation(owner, chat).started(runId);
  }

  @Override
  public void finished(RunResult r) {
    FinishReason fr = r.response().finishReason();
    Map<String, String> error =
        r.error() == null
            ? null
            : Map.of("type", r.error().kind().name(), "message", String.valueOf(r.error().getMessage()));
    Turn answer =
        new Turn(
            "assistant",
            r.response().text(),
            r.response().reasoning(),
            r.status().name(),
            fr == null ? null : fr.wireName(),
            error);
    conversation(r.owner(), r.slot()).finished(r.runId(), answer);
  }

  View view(String owner, String chat) {
    return conversation(owner, chat).view();
  }

  private Conversation conversation(String owner, String chat) {
    synchronized (conversations) {
      return conversations.computeIfAbsent(owner + '\n' + chat, k -> new Conversation());
    }
  }

  /** One conversation's turns and running answer. */
  private static final class Conversation {
    private final List<Turn> turns = new ArrayList<>();
    private @Nullable String running;
    private @Nullable String lastFinished;

    synchronized List<Turn> ask(String message) {
      if (turns.size() >= MAX_TURNS) {
        turns.subList(0, 2).clear();
      }
      turns.add(new Turn("user", message, null, RunStatus.COMPLETED.name(), null, null));
      return List.copyOf(turns);
    }

    synchronized void dropQuestion() {
      if (!turns.isEmpty() && turns.get(turns.size() - 1).role().equals("user")) {
        turns.remove(turns.size() - 1);
      }
    }

    synchronized void started(String runId) {
      if (!runId.equals(lastFinished)) {
        running = runId;
      }
    }

    synchronized void finished(String runId, Turn answer) {
      turns.add(answer);
      lastFinished = runId;
      if (runId.equals(running)) {
        running = null;
      }
    }

    synchronized View view() {
      return new View(List.copyOf(turns), running);
    }
  }
}
