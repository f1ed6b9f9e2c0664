package dev.llmstream.core;

import static dev.llmstream.core.StreamState.CANCELLED;
import static dev.llmstream.core.StreamState.COMPLETED;
import static dev.llmstream.core.StreamState.CONNECTING;
import static dev.llmstream.core.StreamState.FAILED;
import static dev.llmstream.core.StreamState.RECOVERING;
import static dev.llmstream.core.StreamState.STREAMING;
import static dev.llmstream.core.StreamState.WAITING_FIRST_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamStateTest {

  @Test
  void allowedTransitionsAreExactlyTheDocumentedOnes() {
    assertThat(allowedFrom(CONNECTING))
        .containsExactlyInAnyOrder(WAITING_FIRST_TOKEN, STREAMING, COMPLETED, CANCELLED, FAILED);
    assertThat(allowedFrom(WAITING_FIRST_TOKEN))
        .containsExactlyInAnyOrder(STREAMING, RECOVERING, COMPLETED, CANCELLED, FAILED);
    assertThat(allowedFrom(STREAMING))
        .containsExactlyInAnyOrder(RECOVERING, COMPLETED, CANCELLED, FAILED);
    assertThat(allowedFrom(RECOVERING))
        .containsExactlyInAnyOrder(STREAMING, WAITING_FIRST_TOKEN, COMPLETED, CANCELLED, FAILED);
  }

  @Test
  void terminalStatesAreFinal() {
    for (StreamState terminal : EnumSet.of(COMPLETED, CANCELLED, FAILED)) {
      assertThat(terminal.isTerminal()).isTrue();
      assertThat(allowedFrom(terminal)).isEmpty();
    }
    assertThat(STREAMING.isTerminal()).isFalse();
  }

  @Test
  void recoveryEventsMoveTheStreamThroughRecoveringAndBack() throws Exception {
    TokenStream stream =
        TokenStream.of(
            List.of(
                new StreamEvent.Waiting(null),
                new StreamEvent.TextDelta("Hel"),
                new StreamEvent.Recovering(1, "connection reset"),
                new StreamEvent.Waiting(null),
                new StreamEvent.TextDelta("lo"),
                StreamEvent.Finish.of(FinishReason.STOP)));
    List<String> seen = new ArrayList<>();
    stream.onStateChange((from, to) -> seen.add(to.name()));
    assertThat(stream.collect().get().text()).isEqualTo("Hello");
    assertThat(seen)
        .containsExactly(
            "WAITING_FIRST_TOKEN",
            "STREAMING",
            "RECOVERING",
            "WAITING_FIRST_TOKEN",
            "STREAMING",
            "COMPLETED");
  }

  @Test
  void aThrowingStateListenerDoesNotBreakTheStream() throws Exception {
    TokenStream stream = TokenStream.of(List.of(new StreamEvent.TextDelta("ok")));
    stream.onStateChange(
        (from, to) -> {
          throw new IllegalStateException("listener bug");
        });
    assertThat(stream.collect().get().text()).isEqualTo("ok");
    assertThat(stream.state()).isEqualTo(COMPLETED);
  }

  private static Set<StreamState> allowedFrom(StreamState from) {
    Set<StreamState> allowed = EnumSet.noneOf(StreamState.class);
    for (StreamState to : StreamState.values()) {
      if (from.canMoveTo(to)) {
        allowed.add(to);
      }
    }
    return allowed;
  }
}
