package dev.llmstream.groq;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.ToolCall;
import dev.llmstream.core.internal.AnswerAccumulator;
import dev.llmstream.groq.internal.ChunkDecoder;
import dev.llmstream.groq.internal.SseScanner;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.ResponseScript;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real recorded stream in {@code ../shared/fixtures/groq} parses to what its
 * {@code .expected.json} states: through the pure scanner + decoder at random network splits, and through
 * the whole provider over HTTP.
 */
class RecordedStreamsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ConcurrentLinkedQueue<ResponseScript> SCRIPTS = new ConcurrentLinkedQueue<>();
  private static FakeGroqServer server;

  @BeforeAll
  static void start() {
    server = FakeGroqServer.builder().dispatcher(request -> Objects.requireNonNull(SCRIPTS.poll(), "no script queued"))
        .build().start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static List<String> fixtures() {
    List<String> names = Fixtures.names();
    assertThat(names).hasSizeGreaterThanOrEqualTo(16);
    return names;
  }

  /** The outcome of decoding: the folded answer and the error, if any. */
  record Outcome(ChatResponse answer, StreamException error, int usageEvents, int finishEvents) {}

  static Outcome decode(byte[] sse, Random splits) {
    SseScanner scanner = new SseScanner(1 << 20);
    ChunkDecoder decoder = new ChunkDecoder(MAPPER, 200, null);
    AnswerAccumulator acc = new AnswerAccumulator();
    List<StreamEvent> out = new ArrayList<>();
    StreamException error = null;
    int from = 0;
    try {
      while (from < sse.length && !decoder.isDone()) {
        int n = splits == null ? sse.length : 1 + splits.nextInt(64);
        n = Math.min(n, sse.length - from);
        scanner.feed(ByteBuffer.wrap(sse, from, n), (t, d, len) -> decoder.onEvent(t, d, len, out));
        from += n;
      }
      if (!decoder.isDone()) {
        scanner.end();
        decoder.endOfStream(out);
      }
    } catch (StreamException e) {
      error = e;
    }
    int usage = 0;
    int finish = 0;
    for (StreamEvent e : out) {
      acc.accept(e);
      usage += e instanceof StreamEvent.Finish f && f.usage() != null ? 1 : 0;
      finish += e instanceof StreamEvent.Finish ? 1 : 0;
    }
    return new Outcome(acc.snapshot(), error, usage, finish);
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void pureDecodeMatchesExpected(String name) throws IOException {
    byte[] sse = Fixtures.bytes(name + ".sse");
    JsonNode expected = MAPPER.readTree(Fixtures.bytes(name + ".expected.json"));
    for (Random splits : new Random[] {null, new Random(1), new Random(name.hashCode())}) {
      Outcome o = decode(sse, splits);
      assertMatches(name, expected, o.answer(), o.error());
      if (o.error() == null) {
        assertThat(o.finishEvents()).as("one Finish").isEqualTo(1);
        assertThat(o.usageEvents()).as("usage known when the Finish is emitted, reported once, never summed").isEqualTo(expected.get("usage").isNull() ? 0 : 1);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void providerOverHttpMatchesExpected(String name) throws Exception {
    byte[] sse = Fixtures.bytes(name + ".sse");
    JsonNode expected = MAPPER.readTree(Fixtures.bytes(name + ".expected.json"));
    // the recorded body byte for byte, in writes of 777 bytes: events and characters cut anywhere
    List<byte[]> writes = new ArrayList<>();
    for (int from = 0; from < sse.length; from += 777) {
      writes.add(Arrays.copyOfRange(sse, from, Math.min(sse.length, from + 777)));
    }
    SCRIPTS.add(ResponseScript.builder().rawBody(writes).header("x-request-id", "req_fixture").build());
    try (GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m").build()) {
      ChatResponse answer = null;
      StreamException error = null;
      try {
        answer = p.stream(ChatRequest.ofUser("hi")).collect().get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        error = (StreamException) e.getCause();
        answer = error.partial();
      }
      assertMatches(name, expected, answer, error);
      if (error != null) {
        assertThat(error.requestId()).isNotNull();
      }
    }
    assertThat(server.requests()).isNotEmpty();
  }

  private static void assertMatches(String name, JsonNode expected, ChatResponse answer, StreamException error) {
    assertThat(answer.text()).as(name + " text").isEqualTo(expected.get("text").asText());
    JsonNode reasoning = expected.get("reasoning");
    assertThat(answer.reasoning()).as(name + " reasoning").isEqualTo(reasoning.isNull() ? null : reasoning.asText());
    List<ToolCall> calls = answer.toolCalls();
    JsonNode expectedCalls = expected.get("toolCalls");
    assertThat(calls).as(name + " tool calls").hasSize(expectedCalls.size());
    for (int i = 0; i < calls.size(); i++) {
      assertThat(calls.get(i).id()).isEqualTo(expectedCalls.get(i).get("id").asText());
      assertThat(calls.get(i).name()).isEqualTo(expectedCalls.get(i).get("name").asText());
      assertThat(calls.get(i).arguments()).isEqualTo(expectedCalls.get(i).get("arguments").asText());
    }
    JsonNode expectedError = expected.get("error");
    if (expectedError.isNull()) {
      assertThat(error).as(name + " error").isNull();
      assertThat(answer.finishReason()).as(name + " finish").isEqualTo(FinishReason.fromWire(expected.get("finishReason").asText()));
      JsonNode usage = expected.get("usage");
      assertThat(answer.usage()).isNotNull();
      assertThat(answer.usage().promptTokens()).isEqualTo(usage.get("promptTokens").asLong());
      assertThat(answer.usage().completionTokens()).isEqualTo(usage.get("completionTokens").asLong());
      assertThat(answer.usage().totalTokens()).isEqualTo(usage.get("totalTokens").asLong());
    } else {
      assertThat(error).as(name + " error").isInstanceOf(StreamException.class).hasFieldOrPropertyWithValue("kind", ErrorKind.UPSTREAM);
      StreamException up = error;
      assertThat(up.errorType()).isEqualTo(expectedError.get("type").asText());
      assertThat(up.errorCode()).isEqualTo(expectedError.get("code").asText());
      assertThat(up.status()).isEqualTo(expectedError.get("status_code").asInt());
      assertThat(up.getMessage()).contains(expectedError.get("message").asText());
      assertThat(answer.usage()).isNull();
    }
  }

  @Test
  void groqUsageIsParsedWithTimings() throws IOException {
    Outcome o = decode(Fixtures.bytes("groq-llama33-70b-text-stop.sse"), null);
    assertThat(o.answer().usage().timings()).containsOnlyKeys("queue_time", "prompt_time", "completion_time", "total_time");
    assertThat(o.answer().usage().timings().get("queue_time").toNanos()).isEqualTo(41_905_864L);
    assertThat(o.answer().usage().timings().get("total_time").toNanos()).isEqualTo(2_656_170_478L);
    Outcome q = decode(Fixtures.bytes("groq-qwen3-32b-reasoning-parsed.sse"), null);
    assertThat(q.answer().usage().completionTokens()).isEqualTo(1107);
  }
}
