package dev.llmstream.web;

import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.UiConfig;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/** The fake upstream and provider the relay tests share: the prompt picks the answer. */
final class RelayFixture implements AutoCloseable {
  /** 120 tokens at full speed: with a zero buffer window, over 200 events. */
  static final String LONG = "long";
  /** 5,000 tokens at 100 per second: still running while a test acts on it. */
  static final String SLOW = "slow";
  /** 20,000 tokens at full speed: a big answer for slow readers. */
  static final String BIG = "big";
  /** 600 tokens at 100 per second; a request with an assistant prefill gets the rest at once. */
  static final String RESUMABLE = "resumable";
  /** 300 tokens at 150 per second. */
  static final String MEDIUM = "medium";

  final FakeGroqServer fake;
  final GroqProvider provider;

  RelayFixture() {
    fake = FakeGroqServer.builder().dispatcher(RelayFixture::script).build().start();
    provider = GroqProvider.builder().baseUrl(fake.baseUrl()).apiKey("test-key").defaultModel("test-model").build();
  }

  private static ResponseScript script(RecordedRequest r) {
    if (r.lastUserMessage().equals(RESUMABLE)) {
      return r.assistantPrefill().isEmpty()
          ? ResponseScript.builder().text(resumable()).tokensPerSecond(100).build()
          : ResponseScript.continuing(resumable(), r);
    }
    switch (r.lastUserMessage()) {
      case SLOW:
        return ResponseScript.builder().generatedText(5_000, RelayFixture::slowToken).tokensPerSecond(100).build();
      case BIG:
        return ResponseScript.builder().generatedText(20_000, RelayFixture::bigToken).build();
      case MEDIUM:
        return ResponseScript.builder().generatedText(300, RelayFixture::token).tokensPerSecond(150).build();
      default:
        return ResponseScript.builder().generatedText(120, RelayFixture::token).build();
    }
  }

  static String token(long i) {
    return "w" + i + " ";
  }

  static String slowToken(long i) {
    return "s" + i + " ";
  }

  static String bigToken(long i) {
    return "token-" + i + " ";
  }

  static String expected(long tokens) {
    return LongStream.range(0, tokens).mapToObj(RelayFixture::token).collect(Collectors.joining());
  }

  static String slowText() {
    return LongStream.range(0, 5_000).mapToObj(RelayFixture::slowToken).collect(Collectors.joining());
  }

  static String resumable() {
    return LongStream.range(0, 600).mapToObj(i -> "r" + i + " ").collect(Collectors.joining());
  }

  static String expectedBig() {
    return LongStream.range(0, 20_000).mapToObj(RelayFixture::bigToken).collect(Collectors.joining());
  }

  static ChatRequest ask(String prompt) {
    return ChatRequest.ofUser(prompt);
  }

  /** Every token its own batch (when the sink keeps up): many events. */
  static RunOptions eachToken() {
    return RunOptions.builder()
        .ui(UiConfig.defaults().withWindow(Duration.ZERO))
        .build();
  }

  @Override
  public void close() {
    provider.close();
    fake.close();
  }
}
