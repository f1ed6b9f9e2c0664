package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedModelTest {
  @Test
  void answersArePlausibleMarkdownAndDeterministicPerSeedAndPrompt() {
    SimulatedModel a = SimulatedModel.builder().seed(1).build();
    String answer = a.answer("How do I stream tokens into a UI?");
    assertThat(answer).isEqualTo(SimulatedModel.builder().seed(1).build().answer("How do I stream tokens into a UI?"));
    assertThat(answer).isNotEqualTo(SimulatedModel.builder().seed(2).build().answer("How do I stream tokens into a UI?"));
    assertThat(answer).isNotEqualTo(a.answer("Something else"));
    assertThat(answer).contains("How do I stream tokens into a UI").contains("\n\n").contains("\n- ").contains("### ");
    assertThat(answer.split("\n\n").length).isGreaterThanOrEqualTo(4);
    assertThat(a.answer("")).contains("this topic");
  }

  @Test
  void someSeedsProduceCodeBlocks() {
    boolean code = false;
    for (int seed = 0; seed < 20 && !code; seed++) {
      code = SimulatedModel.builder().seed(seed).paragraphs(3, 4).build().answer("q").contains("```");
    }
    assertThat(code).isTrue();
  }

  @Test
  void simulatedServerStreamsTheAnswerAtTheConfiguredPace() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    SimulatedModel model = SimulatedModel.builder().seed(3).tokensPerSecond(100)
        .timeToFirstToken(Duration.ofMillis(250)).jitter(0).build();
    try (FakeGroqServer server = FakeGroqServer.builder().scheduler(clock).dispatcher(model::script).build().start()) {
      SseProbe probe = SseProbe.post(server.baseUrl() + "/chat/completions", SseProbe.chatBody("Tell me about Groq"),
          clock::nanoTime);
      server.awaitRequests(1, SseProbe.WAIT);
      clock.runDue();
      probe.read();
      clock.advance(Duration.ofMillis(249));
      assertThat(probe.pollNonBlank(100)).isNull();
      clock.advance(Duration.ofMillis(1));
      assertThat(probe.nextLine().nanos()).isEqualTo(250_000_000L);
      clock.advance(Duration.ofMinutes(10)); // the rest, 10 ms apart
      List<SseProbe.Item> items = probe.drain();
      List<String> data = SseProbe.dataLines(items);
      assertThat(SseProbe.join(data, "content")).isEqualTo(model.answer("Tell me about Groq"));
      long last = items.get(items.size() - 2).nanos();
      assertThat(server.connections().get(0).ending()).isEqualTo(ConnectionRecord.Ending.COMPLETED);
      assertThat(last).isPositive();
    }
  }

  @Test
  void embeddedDefaultStartsAndAnswers() throws Exception {
    try (FakeGroqServer server = FakeGroqServer.simulated(
        SimulatedModel.builder().tokensPerSecond(0).timeToFirstToken(Duration.ZERO).build()).start()) {
      List<String> data = SseProbe.dataLines(SseProbe.post(server, System::nanoTime).read().drain());
      assertThat(SseProbe.join(data, "content")).contains("\"Hello\"").hasSizeGreaterThan(200);
    }
  }

  @Test
  void builderRejectsBadSettingsByName() {
    assertThatThrownBy(() -> SimulatedModel.builder().tokensPerSecond(-1)).hasMessageContaining("tokensPerSecond");
    assertThatThrownBy(() -> SimulatedModel.builder().jitter(2)).hasMessageContaining("jitter");
    assertThatThrownBy(() -> SimulatedModel.builder().paragraphs(3, 2)).hasMessageContaining("paragraphs");
    assertThatThrownBy(() -> ResponseScript.builder().status(204)).hasMessageContaining("status");
    assertThatThrownBy(() -> ResponseScript.builder().status(600)).hasMessageContaining("status");
    assertThatThrownBy(() -> ResponseScript.builder().disconnectAfter(-1)).hasMessageContaining("n must be");
    assertThatThrownBy(() -> ResponseScript.builder().header("x\r\ny", "v")).hasMessageContaining("header");
    assertThatThrownBy(() -> FakeGroqServer.builder().port(70000)).hasMessageContaining("port");
  }
}
