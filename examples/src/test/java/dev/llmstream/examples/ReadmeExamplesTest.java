package dev.llmstream.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConnection;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.StreamAssertions;
import dev.llmstream.testkit.TestSubscriber;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;

/** The README's code, compiled and run (against the fake instead of api.groq.com). */
class ReadmeExamplesTest {

  @Test
  void quickStart() throws Exception {
    ExecutorService uiThread = Executors.newSingleThreadExecutor(); // stands in for SwingUtilities::invokeLater
    StringBuilder textArea = new StringBuilder();
    try (FakeGroqServer server = FakeGroqServer.builder().always(ResponseScript.text("SSE is simple.")).build().start();
        GroqProvider groq = GroqProvider.builder().baseUrl(server.baseUrl())
            .defaultModel("llama-3.3-70b-versatile").build()) {
      CancellationToken stop = CancellationToken.create();
      TokenStream answer = groq.stream(ChatRequest.ofUser("Explain SSE in two sentences."), stop);
      UiConnection ui = UiConnection.connect(answer,
          (batch, fullText) -> textArea.append(batch.toString()),
          uiThread::execute);
      ui.done().join();
    } finally {
      uiThread.shutdown();
    }
    assertThat(textArea.toString()).isEqualTo("SSE is simple.");
  }

  @Test
  void testingYourUiCode() throws Exception {
    String answer = "Hello, world!";
    try (FakeGroqServer server = FakeGroqServer.builder()
            .enqueue(ResponseScript.builder().text(answer).disconnectAfter(3).build()) // 1st: cut mid-answer
            .dispatcher(request -> ResponseScript.continuing(answer, request))        // then: continue it
            .build().start();
         GroqProvider groq = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").build()) {
      TestSubscriber<StreamEvent> events = TestSubscriber.create();
      groq.stream(ChatRequest.ofUser("Say hello")).subscribe(events);
      events.awaitTerminal(Duration.ofSeconds(5));
      StreamAssertions.assertThat(events).completed().hasText("Hello, world!").hasNoViolations();
      assertThat(server.requests()).hasSize(2);                  // recovered after the cut
      assertThat(server.requests().get(1).assistantPrefill()).isEqualTo("Hello,"); // the prefill sent
    }
  }
}
