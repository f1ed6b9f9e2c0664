package dev.llmstream.groq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.FinishReason;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Talks to the real Groq API; runs only when {@code GROQ_API_KEY} is set. */
class LiveGroqTest {

  @Test
  void streamsARealAnswer() throws Exception {
    String key = System.getenv("GROQ_API_KEY");
    Assumptions.assumeTrue(key != null && !key.isBlank(), "GROQ_API_KEY is not set: live Groq test skipped");
    CopyOnWriteArrayList<GroqResponseInfo> infos = new CopyOnWriteArrayList<>();
    try (GroqProvider groq = GroqProvider.builder().defaultModel("llama-3.1-8b-instant").onResponse(infos::add).build()) {
      ChatResponse r =
          groq.stream(ChatRequest.ofUser("Say exactly: hello")
                  .withMaxTokens(20).withTemperature(0))
              .collect()
              .get(60, TimeUnit.SECONDS);
      assertThat(r.text().toLowerCase()).contains("hello");
      assertThat(r.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
      assertThat(r.usage()).isNotNull();
      assertThat(infos).isNotEmpty();
      assertThat(infos.get(0).requestId()).isNotNull();
    }
  }
}
