package dev.llmstream.benchmarks.harness;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiConnection;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.micrometer.LlmStreamMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.Flow;

/**
 * This library: one {@link GroqProvider} (one {@code HttpClient}), a subscriber with unbounded demand,
 * cancelled through the stream's {@link CancellationToken} (terminal signal: {@code onComplete} after
 * {@code Finish(CANCELLED)}). Optionally through a {@link UiConnection#buffer} buffer with the default configuration
 * (50 ms window) on the system scheduler, as a UI would use it. Optionally with the Micrometer bridge
 * ({@code LlmStreamMetrics} on a Prometheus registry) attached as the provider's listener.
 */
public final class OursClient implements StreamClient {
  private final GroqProvider provider;
  private final ChatRequest request;
  private final boolean buffered;
  private final StreamScheduler scheduler = StreamScheduler.system();

  OursClient(String baseUrl, boolean buffered, boolean inline, boolean metrics) {
    this.buffered = buffered;
    GroqProvider.Builder b =
        GroqProvider.builder().baseUrl(baseUrl).apiKey("bench").defaultModel(GroqChunks.MODEL);
    if (inline) {
      b.inlineDelivery(true);
    }
    if (metrics) {
      b.listener(LlmStreamMetrics.builder(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build());
    }
    this.provider = b.build();
    this.request = ChatRequest.ofUser(GroqChunks.PROMPT);
  }

  @Override
  public Cancel stream(TokenSink sink) {
    CancellationToken token = CancellationToken.create();
    TokenStream stream = provider.stream(request, token);
    if (buffered) {
      UiConnection.buffer(stream, UiConfig.defaults().withScheduler(scheduler)).subscribe(new Subscriber(sink));
    } else {
      stream.subscribe(new Subscriber(sink));
    }
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
