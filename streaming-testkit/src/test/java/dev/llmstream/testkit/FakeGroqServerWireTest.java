package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake speaks Groq's wire format, read raw by the JDK client: headers, chunks, usage, [DONE]. */
class FakeGroqServerWireTest {
  private FakeGroqServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void streamsGroqChunksWithRoleFirstUsageLastAndDone() throws Exception {
    String text = "Hello, world! Streaming is fun.";
    server = FakeGroqServer.builder().always(ResponseScript.text(text)).build().start();
    assertThat(server.baseUrl()).matches("http://127\\.0\\.0\\.1:\\d+/openai/v1");

    SseProbe probe = SseProbe.post(server, System::nanoTime);
    HttpResponse.ResponseInfo response = probe.response();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(response.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
    assertThat(response.headers().firstValue("x-ratelimit-remaining-tokens")).isPresent();

    List<SseProbe.Item> items = probe.read().drain();
    assertThat(items.get(items.size() - 1).end()).as("clean end of body").isTrue();
    List<String> data = SseProbe.dataLines(items);
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");

    JsonNode first = SseProbe.parse(data.get(0));
    assertThat(first.path("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(first.path("id").asText()).startsWith("chatcmpl-");
    assertThat(first.path("choices").path(0).path("delta").path("role").asText()).isEqualTo("assistant");
    assertThat(first.path("x_groq").path("id").asText())
        .isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());

    JsonNode last = SseProbe.parse(data.get(data.size() - 2));
    assertThat(last.path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = last.path("x_groq").path("usage");
    for (String field : List.of("queue_time", "prompt_tokens", "prompt_time", "completion_tokens",
        "completion_time", "total_tokens", "total_time")) {
      assertThat(usage.has(field)).as(field).isTrue();
    }
    int contentChunks = data.size() - 3; // role, finish, [DONE]
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(contentChunks);
    assertThat(usage.path("total_tokens").asInt())
        .isEqualTo(usage.path("prompt_tokens").asInt() + contentChunks);
    assertThat(last.path("usage")).isEqualTo(usage);
    assertThat(SseProbe.join(data, "content")).isEqualTo(text);
    // every chunk of one response shares the id
    assertThat(data.subList(0, data.size() - 1)).allSatisfy(d ->
        assertThat(SseProbe.parse(d).path("id").asText()).isEqualTo(first.path("id").asText()));

    assertThat(server.awaitEnded(0, SseProbe.WAIT))
        .isEqualTo(new ConnectionRecord(0, 200, ConnectionRecord.Ending.COMPLETED, data.size(), false));
  }

  @Test
  void anyTextIsValidJsonAndComesBackExactly() throws Exception {
    String nasty = "quote \" backslash \\ newline\n tab\t cr\r nul\u0000 bell\u0007 emoji 😀👩‍💻 ünïcödé </script> \u2028";
    server = FakeGroqServer.builder()
        .always(ResponseScript.builder().reasoning("think \"hard\"\n").text(nasty).build()).build().start();
    List<String> data = SseProbe.dataLines(SseProbe.post(server, System::nanoTime).read().drain());
    data.stream().filter(d -> !d.equals("[DONE]")).forEach(SseProbe::parse); // all valid JSON
    assertThat(SseProbe.join(data, "content")).isEqualTo(nasty);
    assertThat(SseProbe.join(data, "reasoning")).isEqualTo("think \"hard\"\n");
  }

  @Test
  void toolCallArrivesWholeWithToolCallsFinish() throws Exception {
    server = FakeGroqServer.builder()
        .always(ResponseScript.builder().toolCall("call_1", "weather", "{\"city\":\"Paris\"}").build())
        .build().start();
    List<String> data = SseProbe.dataLines(SseProbe.post(server, System::nanoTime).read().drain());
    assertThat(data).hasSize(4);
    assertThat(SseProbe.parse(data.get(0)).path("choices").path(0).path("delta").get("content").isNull()).isTrue();
    JsonNode call = SseProbe.parse(data.get(1)).path("choices").path(0).path("delta").path("tool_calls").path(0);
    assertThat(call.path("id").asText()).isEqualTo("call_1");
    assertThat(call.path("type").asText()).isEqualTo("function");
    assertThat(call.path("function").path("name").asText()).isEqualTo("weather");
    assertThat(call.path("function").path("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(call.path("index").asInt()).isZero();
    assertThat(SseProbe.parse(data.get(2)).path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("tool_calls");
  }

  @Test
  void recordsEachRequestWithHeadersAndParsedJson() throws Exception {
    server = FakeGroqServer.builder().build().start();
    SseProbe.post(server, System::nanoTime).read().drain();
    RecordedRequest r = server.awaitRequests(1, SseProbe.WAIT).get(0);
    assertThat(r.index()).isZero();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/openai/v1/chat/completions");
    assertThat(r.header("Authorization")).isEqualTo("Bearer test-key");
    assertThat(r.json()).containsEntry("stream", true).containsEntry("model", "llama-3.3-70b-versatile");
    assertThat(r.model()).isEqualTo("llama-3.3-70b-versatile");
    assertThat(r.lastUserMessage()).isEqualTo("Hello");
    assertThat(r.toString()).doesNotContain("test-key");
  }

  @Test
  void keepAliveConnectionServesSequentialRequests() throws Exception {
    server = FakeGroqServer.builder()
        .enqueue(ResponseScript.text("one"))
        .enqueue(ResponseScript.text("two"))
        .build().start();
    assertThat(SseProbe.join(SseProbe.dataLines(SseProbe.post(server, System::nanoTime).read().drain()), "content"))
        .isEqualTo("one");
    assertThat(SseProbe.join(SseProbe.dataLines(SseProbe.post(server, System::nanoTime).read().drain()), "content"))
        .isEqualTo("two");
    assertThat(server.requests()).extracting(RecordedRequest::index).containsExactly(0, 1);
  }

  @Test
  void unknownPathGetsGroqStyle404AndOtherMethods405() throws Exception {
    server = FakeGroqServer.builder().build().start();
    HttpResponse<String> r = SseProbe.CLIENT.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/nope")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(SseProbe.parse(r.body()).path("error").path("code").asText()).isEqualTo("unknown_url");
    HttpResponse<String> get = SseProbe.CLIENT.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void closeEndsOpenResponsesAsServerClosed() throws Exception {
    server = FakeGroqServer.builder().always(ResponseScript.builder().text("a b c").stallAfter(1).build())
        .build().start();
    SseProbe probe = SseProbe.post(server, System::nanoTime).read();
    probe.nextLine();
    server.awaitChunks(0, 1, SseProbe.WAIT);
    server.close();
    assertThat(server.connections().get(0).ending()).isEqualTo(ConnectionRecord.Ending.SERVER_CLOSED);
    List<SseProbe.Item> rest = probe.drain();
    assertThat(rest.get(rest.size() - 1).error()).as("client sees the cut").isNotNull();
    server.close(); // idempotent
  }

  @Test
  void defaultHttp2ClientFallsBackToHttp11() throws Exception {
    server = FakeGroqServer.builder().always(ResponseScript.text("h2c ignored")).build().start();
    java.net.http.HttpClient h2 = java.net.http.HttpClient.newHttpClient(); // offers an h2c upgrade
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
          .POST(HttpRequest.BodyPublishers.ofString(SseProbe.chatBody("hi"))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
      assertThat(r.body()).contains("h2c").endsWith("data: [DONE]\n\n");
    }
  }

  @Test
  void startTwiceIsAnError() {
    server = FakeGroqServer.builder().build().start();
    org.assertj.core.api.Assertions.assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FakeGroqServer.builder().build().baseUrl())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("start()");
    assertThat(Duration.ZERO).isZero();
  }
}
