package dev.llmstream.benchmarks.harness;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.groq.GroqProvider;
import java.util.concurrent.Flow;

/**
 * This library: one {@link GroqProvider} (one {@code HttpClient}), a subscriber with unbounded demand,
 * cancelled through the stream's {@link CancellationToken} (terminal signal: {@code onComplete} after
 * {@code Finish(CANCELLED)}).
 */
public final class OursClient implements StreamClient {
  private final GroqProvider provider;
  private final ChatRequest request;

  OursClient(String baseUrl) {
    this.provider =
        GroqProvider.builder().baseUrl(baseUrl).apiKey("bench").defaultModel(GroqChunks.MODEL).build();
    this.request = ChatRequest.ofUser(GroqChunks.PROMPT);
  }

  @Override
  public Cancel stream(TokenSink sink) {
    CancellationToken token = CancellationToken.create();
    provider.stream(request, token).subscribe(new Subscriber(sink));
    return token::cancel;
  }

  @Override
  public void close() {
    provider.close();
  }

  private static final class Subscriber implements Flow.Subscriber<StreamEvent> {
    private final TokenSink sink;

    Subscriber(TokenSink sink) {
      this.sink = sink;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(StreamEvent item) {
      if (item instanceof StreamEvent.TextDelta t) {
        sink.onToken(t.text());
      }
    }

    @Override
    public void onError(Throwable throwable) {
      sink.onEnd(throwable);
    }

    @Override
    public void onComplete() {
      sink.onEnd(null);
    }
  }
}
