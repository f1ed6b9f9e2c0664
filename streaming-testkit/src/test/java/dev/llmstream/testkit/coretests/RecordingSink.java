package dev.llmstream.testkit.coretests;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamMetrics;
import dev.llmstream.core.UiSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link UiSink} that records every call as a short string, checks the calls never overlap and never
 * follow the terminal call, and keeps the last full text it was shown.
 */
class RecordingSink implements UiSink {
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<String> violations = new CopyOnWriteArrayList<>();
  final List<StreamMetrics> progress = new ArrayList<>();
  final AtomicInteger inside = new AtomicInteger();
  volatile boolean terminated;
  volatile int textCalls;
  volatile String shown = "";
  volatile StreamException failure;
  volatile ChatResponse last;

  private void enter(String call) {
    if (inside.incrementAndGet() != 1) {
      violations.add("concurrent call: " + call);
    }
    if (terminated) {
      violations.add("call after terminal: " + call);
    }
  }

  private void exit() {
    inside.decrementAndGet();
  }

  @Override
  public void onStart() {
    enter("start");
    calls.add("start");
    exit();
  }

  @Override
  public void onTyping(boolean typing) {
    enter("typing");
    calls.add("typing:" + typing);
    exit();
  }

  @Override
  public void onText(CharSequence batch, CharSequence fullText) {
    enter("text");
    calls.add("text:" + batch);
    textCalls++;
    shown = fullText.toString();
    exit();
  }

  @Override
  public void onReasoning(CharSequence batch, CharSequence fullReasoning) {
    enter("reasoning");
    calls.add("reasoning:" + batch + "|" + fullReasoning);
    exit();
  }

  @Override
  public void onToolCall(StreamEvent.ToolCallDelta fragment) {
    enter("tool");
    calls.add("tool:" + fragment.index() + ":" + fragment.arguments());
    exit();
  }

  @Override
  public void onProgress(StreamMetrics p) {
    enter("progress");
    progress.add(p);
    exit();
  }

  @Override
  public void onRecovering(int attempt, String cause) {
    enter("recovering");
    calls.add("recovering:" + attempt + ":" + cause);
    exit();
  }

  @Override
  public void onReplaced(CharSequence text, CharSequence reasoning) {
    enter("replaced");
    calls.add("replaced:" + text + "|" + reasoning);
    exit();
  }

  @Override
  public void onCompleted(ChatResponse response) {
    enter("completed");
    calls.add("completed:" + response.text());
    last = response;
    terminated = true;
    exit();
  }

  @Override
  public void onCancelled(ChatResponse partial) {
    enter("cancelled");
    calls.add("cancelled:" + partial.text());
    last = partial;
    terminated = true;
    exit();
  }

  @Override
  public void onFailed(StreamException error, ChatResponse partial) {
    enter("failed");
    calls.add("failed:" + error.kind() + ":" + partial.text());
    failure = error;
    last = partial;
    terminated = true;
    exit();
  }

  /** The calls other than progress and typing. */
  List<String> content() {
    List<String> out = new ArrayList<>();
    for (String c : calls) {
      if (!c.startsWith("typing") && !c.equals("start")) {
        out.add(c);
      }
    }
    return out;
  }

  long terminalCalls() {
    return calls.stream()
        .filter(c -> c.startsWith("completed") || c.startsWith("cancelled") || c.startsWith("failed"))
        .count();
  }
}
