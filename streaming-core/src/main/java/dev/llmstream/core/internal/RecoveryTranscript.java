package dev.llmstream.core.internal;

import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.Usage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a recovering answer has shown so far, and the two transforms recovery needs: an attempt's event to
 * what the subscriber sees (a continuation's repeat dropped, usage summed over the attempts and marked
 * recovered), and a failed attempt to the next attempt's request (a prefill, the same prompt, and any
 * {@code Replaced} event). Pure: it calls nobody. Not thread-safe: {@link RecoveringSource} calls it under
 * its lock.
 */
final class RecoveryTranscript {
  private final ChatRequest request;
  private final RecoveryPolicy policy;
  private final ShownText shown = new ShownText();
  private boolean sawContent;
  private boolean sawToolCall;
  private int recoveries;

  RecoveryTranscript(ChatRequest request, RecoveryPolicy policy) {
    this.request = request;
    this.policy = policy;
  }

  /** Whether the answer had content (a text, reasoning or tool-call delta): only then is it recovered. */
  boolean sawContent() {
    return sawContent;
  }

  /**
   * Maps an attempt's event to what the subscriber sees.
   *
   * @return whether the event is content (progress for the stall watchdog)
   */
  boolean transform(StreamEvent event, List<StreamEvent> out) {
    if (event instanceof StreamEvent.TextDelta t) {
      sawContent = true;
      shown.offer(t.text(), true, out);
      return true;
    } else if (event instanceof StreamEvent.ReasoningDelta r) {
      sawContent = true;
      shown.offer(r.text(), false, out);
      return true;
    } else if (event instanceof StreamEvent.ToolCallDelta) {
      sawContent = true;
      sawToolCall = true;
      out.add(event);
      return true;
    } else if (event instanceof StreamEvent.Finish f) {
      shown.finish(out);
      Usage u = f.usage();
      if (recoveries > 0 && u != null && !u.recovered()) {
        // Usage comes with the finish, so only the last attempt reports it (a cut attempt never does):
        // it is what the provider counted for that attempt, marked as part of a recovered answer.
        u = new Usage(
            u.promptTokens(), u.completionTokens(), u.totalTokens(), u.reasoningTokens(), u.timings(), true);
        out.add(new StreamEvent.Finish(f.reason(), f.rawReason(), u));
      } else {
        out.add(event);
      }
    } else {
      out.add(event);
    }
    return false;
  }

  /** The answer completed: what the held-back start of a continuation still owes the subscriber. */
  void finish(List<StreamEvent> out) {
    shown.finish(out);
  }

  /**
   * A failed attempt is recovered: counts the recovery and makes the next request.
   *
   * @param announce receives a {@code Replaced} event when the UI must drop what it showed
   * @return the next attempt's request
   */
  ChatRequest recover(List<StreamEvent> announce) {
    recoveries++;
    if (sawToolCall && (shown.hasText() || policy.strategy() == RecoveryPolicy.Strategy.RESTART_DEDUPE)) {
      // Tool calls cannot be prefilled and the next attempt sends them again: drop the fragments shown
      // (a Replaced event clears tool calls) and keep the text and reasoning.
      sawToolCall = false;
      announce.add(new StreamEvent.Replaced(shown.text(), shown.reasoning()));
    }
    if (policy.strategy() == RecoveryPolicy.Strategy.RESTART_DEDUPE) {
      shown.expectRestart();
      return request;
    }
    if (shown.hasText()) {
      // Prefill: the partial answer, byte for byte, as a trailing assistant message. A server that ignores
      // it starts over: the continuation is probed for a restart and then de-duplicated.
      String prefill = shown.text();
      shown.expectContinuation();
      return request.withMessage(ChatMessage.assistant(prefill));
    }
    // Only reasoning or tool-call fragments so far: nothing to prefill; start over and tell the UI.
    shown.dropReasoning();
    sawToolCall = false;
    announce.add(new StreamEvent.Replaced("", ""));
    return request;
  }

  /** How many recoveries were made. */
  int recoveries() {
    return recoveries;
  }
}
