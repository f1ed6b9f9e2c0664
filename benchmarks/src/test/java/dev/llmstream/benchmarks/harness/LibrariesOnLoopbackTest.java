package dev.llmstream.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every library adapter receives the same answer from the loopback server, token for token, and its
 * cancel closes the connection (what the benchmarks rely on). No timing is asserted.
 */
class LibrariesOnLoopbackTest {

  @ParameterizedTest
  @ValueSource(
      strings = {StreamClient.OURS, StreamClient.OURS_METRICS, StreamClient.OURS_BUFFERED, StreamClient.OURS_INLINE, StreamClient.OPENAI_JAVA, StreamClient.LANGCHAIN4J})
  void everyLibraryGetsTheWholeAnswer(String library) throws Exception {
    byte[] response = GroqChunks.httpAnswer(300);
    try (LoopbackServer server =
            LoopbackServer.start(
                ex -> {
                  ex.send(response);
                  ex.end();
                });
        StreamClient client = StreamClient.of(library, server.baseUrl())) {
      for (int round = 0; round < 2; round++) { // a second stream on the same client
        TextSink sink = new TextSink();
        client.stream(sink);
        sink.awaitEnd(30, TimeUnit.SECONDS);

        assertThat(sink.error()).isNull();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 300; i++) {
          expected.append(GroqChunks.token(i));
        }
        assertThat(sink.text()).isEqualTo(expected.toString());
        if (!library.equals(StreamClient.OURS_BUFFERED)) {
          assertThat(sink.tokens()).isEqualTo(300);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {StreamClient.OURS, StreamClient.OURS_INLINE, StreamClient.OPENAI_JAVA, StreamClient.LANGCHAIN4J})
  void cancelEndsTheStreamAndClosesTheConnection(String library) throws Exception {
    LinkedBlockingQueue<LoopbackServer.Exchange> exchanges = new LinkedBlockingQueue<>();
    CompletableFuture<Long> closedAt = new CompletableFuture<>();
    byte[] headAndRole = GroqChunks.httpHeadAndRole();
    byte[] token = GroqChunks.http(GroqChunks.sseContent("Hi"));
    try (LoopbackServer server =
            LoopbackServer.start(
                ex -> {
                  ex.send(headAndRole);
                  ex.onClose(() -> closedAt.complete(ex.closedAtNanos()));
                  tick(ex, token, System.nanoTime());
                  exchanges.add(ex);
                });
        StreamClient client = StreamClient.of(library, server.baseUrl())) {
      TextSink sink = new TextSink();
      StreamClient.Cancel cancel = client.stream(sink);
      LoopbackServer.Exchange exchange = exchanges.poll(30, TimeUnit.SECONDS);
      assertThat(exchange).isNotNull();
      sink.spinUntilFirstToken(TimeUnit.SECONDS.toNanos(30));

      cancel.cancel();

      sink.awaitEnd(30, TimeUnit.SECONDS);
      assertThat(sink.text()).startsWith("Hi").matches("(Hi)+");
      assertThat(closedAt.get(30, TimeUnit.SECONDS)).isPositive();
      assertThat(exchange.isClosed()).isTrue();
    }
  }

  /**
   * A token every 5 ms until the client goes away. (openai-java's cancel only ends its stream when its
   * reading thread gets more bytes or its read times out, 10 minutes by default: a silent server would
   * stall this test.)
   */
  private static void tick(LoopbackServer.Exchange ex, byte[] token, long at) {
    if (ex.isClosed()) {
      return;
    }
    ex.send(token);
    long next = at + TimeUnit.MILLISECONDS.toNanos(5);
    ex.scheduleAt(next, () -> tick(ex, token, next));
  }

  private static final class TextSink extends RecordingSink {
    private final StringBuffer text = new StringBuffer();

    @Override
    public void onToken(String t) {
      text.append(t);
      super.onToken(t);
    }

    @Override
    public void onEnd(@Nullable Throwable error) {
      super.onEnd(error);
    }

    String text() {
      return text.toString();
    }
  }
}
