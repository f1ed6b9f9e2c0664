package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The helpers for testing stream recovery: a fake that continues a prefilled answer. */
class ContinuationTest {

  private static RecordedRequest request(String messagesJson) {
    return new RecordedRequest(
        1, "POST", "/openai/v1/chat/completions", Map.of(), "{\"stream\":true,\"messages\":" + messagesJson + "}");
  }

  @Test
  void assistantPrefillIsTheTrailingAssistantMessageOnly() {
    assertThat(request("[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"Hel \"}]")
            .assistantPrefill())
        .isEqualTo("Hel ");
    assertThat(request("[{\"role\":\"assistant\",\"content\":\"old\"},{\"role\":\"user\",\"content\":\"hi\"}]")
            .assistantPrefill())
        .isEmpty();
    assertThat(request("[]").assistantPrefill()).isEmpty();
  }

  @Test
  void continuingSendsOnlyWhatFollowsAMatchingPrefill() {
    RecordedRequest cut = request("[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"Hello, \"}]");
    assertThat(ResponseScript.continuation("Hello, world!", cut)).isEqualTo("world!");
    RecordedRequest other = request("[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"Bye\"}]");
    assertThat(ResponseScript.continuation("Hello, world!", other)).isEqualTo("Hello, world!");
    assertThat(ResponseScript.continuation("Hello, world!", request("[{\"role\":\"user\",\"content\":\"hi\"}]")))
        .isEqualTo("Hello, world!");
  }

  @Test
  void theSimulatedModelContinuesItsOwnPrefilledAnswerOverHttp() throws Exception {
    SimulatedModel model = SimulatedModel.builder().seed(7).tokensPerSecond(0).timeToFirstToken(java.time.Duration.ZERO).build();
    String full = model.answer("Explain streams");
    String prefill = full.substring(0, 40);
    String body =
        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Explain streams\"},"
            + "{\"role\":\"assistant\",\"content\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(prefill) + "}]}";
    try (FakeGroqServer server = FakeGroqServer.simulated(model).start()) {
      SseProbe probe = SseProbe.post(server.baseUrl() + "/chat/completions", body, System::nanoTime);
      List<String> data = SseProbe.dataLines(probe.drain());
      assertThat(SseProbe.join(data, "content")).isEqualTo(full.substring(40));
    }
  }
}
