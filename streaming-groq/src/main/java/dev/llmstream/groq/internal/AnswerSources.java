package dev.llmstream.groq.internal;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.RecoveryPolicy;
import dev.llmstream.core.StreamListener;
import dev.llmstream.core.spi.StreamSource;
import java.net.URI;
import java.util.function.BiFunction;

/**
 * How one answer is assembled from HTTP attempts: one {@link RequestBudget} shared by its retries and
 * recoveries, the recovery policy around the attempts, one concurrency permit held across all of them,
 * and (when the provider has a listener) the instrumentation around all of it, which every attempt reports
 * to through its emitter. Stateless; thread-safe.
 */
public final class AnswerSources {
  private AnswerSources() {
    throw new AssertionError("no instances");
  }

  /**
   * One answer's source reported to the provider's listener.
   *
   * @param config the provider's settings (endpoint, clock)
   * @param model the requested model
   * @param answer the answer's source
   * @param listener the listener
   * @param token the stream's cancellation token
   * @return the instrumented source
   */
  public static StreamSource instrumented(
      GroqConfig config, String model, StreamSource answer, StreamListener listener, CancellationToken token) {
    URI endpoint = config.endpoint();
    int port = endpoint.getPort();
    if (port < 0) {
      port = "http".equalsIgnoreCase(endpoint.getScheme()) ? 80 : 443;
    }
    return StreamSource.instrumented(
        answer, listener, token, config.scheduler(), "groq", model, endpoint.getHost(), port);
  }

  /**
   * The source of one answer.
   *
   * @param config the provider's settings
   * @param encoder the request encoder
   * @param request the request as the caller gave it
   * @param model the model to ask
   * @param body {@code request} encoded (a continuation's request is encoded when it is made)
   * @param emitWaiting whether attempts emit {@code Waiting}
   * @param recovery what happens after a mid-answer failure
   * @return the source: permit, then recovery, then attempts
   */
  public static StreamSource source(
      GroqConfig config,
      RequestEncoder encoder,
      ChatRequest request,
      String model,
      byte[] body,
      boolean emitWaiting,
      RecoveryPolicy recovery) {
    RequestBudget budget = new RequestBudget(config.maxRequestsPerAnswer()); // shared by the answer's attempts
    BiFunction<ChatRequest, Integer, StreamSource> attempts =
        (req, n) ->
            new GroqStreamSource(
                config, model, req == request ? body : encoder.encode(req, model), emitWaiting, budget, n > 0,
                recovery.strategy() != RecoveryPolicy.Strategy.FAIL && n < recovery.maxAttempts());
    // One concurrency permit per answer, held across its recovery attempts.
    return new PermitSource(
        StreamSource.recovering(
            request, recovery, config.scheduler(), attempts, config.stallTimeout(), config.random()),
        config.permits());
  }
}
