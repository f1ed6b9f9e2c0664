package dev.llmstream.testkit;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.ToolCall;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;
import org.jspecify.annotations.Nullable;

/**
 * Fluent assertions on the events a {@link TestSubscriber} received from a token stream; obtain one
 * from {@link StreamAssertions#assertThat(TestSubscriber)}. Text, reasoning and tool calls are folded
 * with {@link ChatResponse#fold(Iterable)}, exactly as a UI would see them.
 *
 * <pre>{@code
 * assertThat(sub)
 *     .completed()
 *     .hasText("The answer is 42.")
 *     .eventTypesInOrder(StreamEvent.TextDelta.class, StreamEvent.Finish.class)
 *     .noSignalAfterTerminal();
 * }</pre>
 *
 * <p>Not thread-safe (like every AssertJ assertion); use it on the test thread.
 */
public final class TokenStreamAssert
    extends AbstractAssert<TokenStreamAssert, TestSubscriber<? extends StreamEvent>> {

  TokenStreamAssert(TestSubscriber<? extends StreamEvent> actual) {
    super(actual, TokenStreamAssert.class);
  }

  /**
   * The answer folded from the received events.
   *
   * @return the answer (finish reason from the last {@link StreamEvent.Finish}, if any)
   */
  private ChatResponse answer() {
    return ChatResponse.fold(actual.values());
  }

  /**
   * Verifies that the joined text of all {@link StreamEvent.TextDelta}s equals {@code expected}.
   *
   * @param expected the full text
   * @return this assertion
   */
  public TokenStreamAssert hasText(String expected) {
    isNotNull();
    String text = answer().text();
    if (!text.equals(expected)) {
      failWithActualExpectedAndMessage(text, expected, "Expected streamed text to be:%n  %s%nbut was:%n  %s",
          quote(expected), quote(text));
    }
    return this;
  }

  /**
   * Verifies that the joined reasoning equals {@code expected}.
   *
   * @param expected the full reasoning text
   * @return this assertion
   */
  public TokenStreamAssert hasReasoning(String expected) {
    isNotNull();
    String reasoning = answer().reasoning();
    if (!expected.equals(reasoning)) {
      failWithActualExpectedAndMessage(reasoning, expected, "Expected streamed reasoning to be:%n  %s%nbut was:%n  %s",
          quote(expected), quote(reasoning));
    }
    return this;
  }

  /**
   * Verifies that the folded answer contains a tool call with this index, name and arguments.
   *
   * @param index the call's index
   * @param name the function name
   * @param arguments the joined arguments
   * @return this assertion
   */
  public TokenStreamAssert hasToolCall(int index, String name, String arguments) {
    isNotNull();
    List<ToolCall> calls = answer().toolCalls();
    boolean found = calls.stream()
        .anyMatch(c -> c.index() == index && c.name().equals(name) && c.arguments().equals(arguments));
    if (!found) {
      failWithMessage("Expected a tool call [%d] %s(%s) but the calls were %s", index, name, arguments, calls);
    }
    return this;
  }

  /**
   * Verifies that the stream completed normally: {@code onComplete}, no error, and a last
   * {@link StreamEvent.Finish} that is not {@link FinishReason#CANCELLED}.
   *
   * @return this assertion
   */
  public TokenStreamAssert completed() {
    isNotNull();
    requireCompletedWithFinish();
    FinishReason r = lastFinish();
    if (r == FinishReason.CANCELLED) {
      failWithMessage("Expected a completed answer but it was cancelled; events: %s", brief());
    }
    return this;
  }

  /**
   * Verifies that the stream completed with this finish reason.
   *
   * @param reason the expected reason
   * @return this assertion
   */
  public TokenStreamAssert completedWith(FinishReason reason) {
    isNotNull();
    requireCompletedWithFinish();
    if (lastFinish() != reason) {
      failWithMessage("Expected finish reason %s but was %s", reason, lastFinish());
    }
    return this;
  }

  /**
   * Verifies that the stream was cancelled through its token: {@code Finish(CANCELLED)} then
   * {@code onComplete}.
   *
   * @return this assertion
   */
  public TokenStreamAssert cancelled() {
    return completedWith(FinishReason.CANCELLED);
  }

  /**
   * Verifies that the stream failed with an error of this type (or a subtype).
   *
   * @param type the expected error type
   * @return this assertion
   */
  public TokenStreamAssert failedWith(Class<? extends Throwable> type) {
    isNotNull();
    Throwable e = actual.error();
    if (e == null) {
      failWithMessage("Expected the stream to fail with %s but it %s; signals: %s", type.getSimpleName(),
          actual.isCompleted() ? "completed" : "did not end", actual.signals());
    } else if (!type.isInstance(e)) {
      failWithMessage("Expected the stream to fail with %s but it failed with %s", type.getName(), e);
    }
    return this;
  }

  /**
   * Verifies that the stream failed with a {@link StreamException} of this kind (the kind replaces the
   * per-kind exception subclasses of earlier versions).
   *
   * @param kind the expected kind
   * @return this assertion
   */
  public TokenStreamAssert failedWith(ErrorKind kind) {
    isNotNull();
    Throwable e = actual.error();
    if (e == null) {
      failWithMessage("Expected the stream to fail with %s but it %s; signals: %s", kind,
          actual.isCompleted() ? "completed" : "did not end", actual.signals());
    } else if (!(e instanceof StreamException se) || se.kind() != kind) {
      failWithMessage("Expected the stream to fail with a StreamException of kind %s but it failed with %s", kind, e);
    }
    return this;
  }

  /**
   * Verifies that the stream failed with a {@link StreamException} whose
   * {@link StreamException#partial()} text equals {@code expected}.
   *
   * @param expected the partial text handed back with the error
   * @return this assertion
   */
  public TokenStreamAssert hasPartialText(String expected) {
    failedWith(StreamException.class);
    String partial = ((StreamException) Objects.requireNonNull(actual.error())).partial().text();
    if (!partial.equals(expected)) {
      failWithActualExpectedAndMessage(partial, expected, "Expected partial text:%n  %s%nbut was:%n  %s",
          quote(expected), quote(partial));
    }
    return this;
  }

  /**
   * Verifies that these events were received in this order (other events may come between them).
   *
   * @param expected the events, compared with {@code equals}
   * @return this assertion
   */
  public TokenStreamAssert eventsInOrder(StreamEvent... expected) {
    isNotNull();
    List<? extends StreamEvent> values = actual.values();
    int i = 0;
    for (StreamEvent e : values) {
      if (i < expected.length && expected[i].equals(e)) {
        i++;
      }
    }
    if (i < expected.length) {
      failWithMessage("Expected events in order %s but %s was missing (or out of order) in %s",
          Arrays.toString(expected), expected[i], brief());
    }
    return this;
  }

  /**
   * Verifies the exact sequence of event types, with runs of the same type counted once: for example
   * {@code TextDelta, TextDelta, Finish} matches {@code eventTypesInOrder(TextDelta.class, Finish.class)}.
   *
   * @param types the expected types
   * @return this assertion
   */
  @SafeVarargs
  public final TokenStreamAssert eventTypesInOrder(Class<? extends StreamEvent>... types) {
    isNotNull();
    List<Class<?>> seen = new ArrayList<>();
    for (StreamEvent e : actual.values()) {
      if (seen.isEmpty() || seen.get(seen.size() - 1) != e.getClass()) {
        seen.add(e.getClass());
      }
    }
    List<Class<?>> expected = new ArrayList<>();
    for (Class<? extends StreamEvent> t : types) {
      expected.add(t);
    }
    if (!seen.equals(expected)) {
      failWithMessage("Expected event types %s but were %s", names(expected), names(seen));
    }
    return this;
  }

  /**
   * Verifies that the publisher sent nothing after its terminal signal and sent at most one.
   *
   * @return this assertion
   */
  public TokenStreamAssert noSignalAfterTerminal() {
    isNotNull();
    List<String> bad = actual.violations().stream()
        .filter(v -> v.contains("after terminal") || v.contains("second terminal")).toList();
    if (!bad.isEmpty()) {
      failWithMessage("Expected no signal after the terminal one but got %s", bad);
    }
    return this;
  }

  /**
   * Verifies that the publisher broke no Reactive Streams rule that {@link TestSubscriber} checks.
   *
   * @return this assertion
   */
  public TokenStreamAssert hasNoViolations() {
    isNotNull();
    if (!actual.violations().isEmpty()) {
      failWithMessage("Expected no Reactive Streams violations but got %s", actual.violations());
    }
    return this;
  }

  private void requireCompletedWithFinish() {
    if (actual.error() != null) {
      failWithMessage("Expected the stream to complete but it failed with %s", actual.error());
    }
    if (!actual.isCompleted()) {
      failWithMessage("Expected the stream to complete but it has not ended; signals: %s", actual.signals());
    }
    if (lastFinish() == null) {
      failWithMessage("Expected a Finish event before onComplete; events: %s", brief());
    }
  }

  private @Nullable FinishReason lastFinish() {
    FinishReason r = null;
    for (StreamEvent e : actual.values()) {
      if (e instanceof StreamEvent.Finish f) {
        r = f.reason();
      }
    }
    return r;
  }

  private String brief() {
    List<? extends StreamEvent> v = actual.values();
    return v.size() <= 12 ? v.toString() : v.subList(0, 6) + " ... " + v.subList(v.size() - 6, v.size());
  }

  private static List<String> names(List<Class<?>> types) {
    return types.stream().map(Class::getSimpleName).toList();
  }

  private static String quote(@Nullable String s) {
    if (s == null) {
      return "null";
    }
    String shown = s.length() > 400 ? s.substring(0, 200) + "…" + s.substring(s.length() - 200) : s;
    return "\"" + shown.replace("\n", "\\n") + "\"";
  }
}
