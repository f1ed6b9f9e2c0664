package dev.llmstream.benchmarks.plain;

import dev.llmstream.benchmarks.harness.RecordingSink;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Not a peer: the floor under our provider. The JDK's {@link HttpClient} alone (the client our provider is
 * built on), with a body subscriber that only counts content deltas by a byte search for
 * {@code "content":"} followed by anything but a quote: no SSE scanning, no JSON, no events, no
 * {@code Flow} stream. With {@code inline}, the client's executor runs tasks on the calling thread (its
 * selector thread delivers the body), as {@code GroqProvider.Builder.inlineDelivery(true)} sets it up;
 * otherwise the client's default executor (a pool thread takes each read from the selector thread), as
 * our default delivery does. Whatever this floor's first-token lag is, a library on this client cannot
 * go below it; the gap between the floor and a peer on another client (OkHttp's blocking read) is the
 * HTTP client's, not our pipeline's.
 *
 * <p>One stream at a time; {@link #streamToEnd} blocks the measuring thread until the body ended.
 */
final class JdkHttpClientFloor implements PlainClient {
  private static final byte[] NEEDLE = "\"content\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final String REQUEST =
      "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private final HttpClient client;
  private final URI uri;

  JdkHttpClientFloor(String baseUrl, boolean inline) {
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
    if (inline) {
      b.executor(Runnable::run);
    }
    this.client = b.build();
    this.uri = URI.create(baseUrl + "/chat/completions");
  }

  @Override
  public void streamToEnd(RecordingSink sink) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(REQUEST))
        .build();
    client.sendAsync(request, info -> new Counting(sink));
    sink.awaitEnd(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    // the JDK 17 client has no close(); its selector thread ends when the client is unreachable
  }

  /** Counts non-empty {@code "content":"…"} values across buffers (a match may straddle two). */
  private static final class Counting implements HttpResponse.BodySubscriber<Void> {
    private final RecordingSink sink;
    private final CompletableFuture<Void> body = new CompletableFuture<>();
    private int matched; // bytes of NEEDLE matched so far, carried across buffers

    Counting(RecordingSink sink) {
      this.sink = sink;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer buffer : buffers) {
        for (int i = buffer.position(), end = buffer.limit(); i < end; i++) {
          byte c = buffer.get(i);
          if (matched == NEEDLE.length) {
            matched = 0;
            if (c != '"') {
              sink.onToken("t");
            }
          }
          matched = c == NEEDLE[matched] ? matched + 1 : (c == NEEDLE[0] ? 1 : 0);
        }
      }
    }

    @Override
    public void onError(Throwable throwable) {
      sink.onEnd(throwable);
      body.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      sink.onEnd(null);
      body.complete(null);
    }

    @Override
    public CompletionStage<Void> getBody() {
      return body;
    }
  }
}
