package dev.llmstream.groq.internal;

import dev.llmstream.core.StreamException;
import dev.llmstream.groq.GroqResponseInfo;
import dev.llmstream.groq.internal.SourceSignals.Failed;
import dev.llmstream.groq.internal.SourceSignals.HeadersArrived;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of one request: sends it (again, for a retry) with the shared client, turns the client's
 * callbacks into loop signals of the exchange's number, follows same-origin 307/308 redirects and tells the
 * provider's {@code onResponse} listener about each response. Owned by {@link GroqStreamSource}'s loop; not
 * thread-safe.
 */
final class HttpExchange {
  private static final Logger LOG = LoggerFactory.getLogger(HttpExchange.class);
  private static final int MAX_REDIRECTS = 3;

  private final GroqConfig config;
  private final byte[] requestBody;
  private final Consumer<Object> post;
  private @Nullable HttpRequest request;
  private @Nullable CompletableFuture<?> sending;
  private int redirects;

  HttpExchange(GroqConfig config, byte[] requestBody, Consumer<Object> post) {
    this.config = config;
    this.requestBody = requestBody;
    this.post = post;
  }

  /** Sends the request as exchange {@code a}: its headers, body and failure arrive as signals. */
  void send(int a) {
    HttpRequest r = request;
    if (r == null) {
      r = HttpRequests.build(config, config.endpoint(), requestBody);
      request = r;
    }
    CompletableFuture<HttpResponse<Void>> f = config.client().sendAsync(r, info -> {
      post.accept(new HeadersArrived(a, info));
      return new SourceSignals.BodySubscriber(a, post);
    });
    sending = f;
    f.whenComplete((ignored, t) -> {
      if (t != null) {
        post.accept(new Failed(a, t));
      }
    });
  }

  /**
   * A redirect: follows a 307/308 to the same origin (same method, body and headers; at most
   * {@value #MAX_REDIRECTS} times) by preparing the next {@link #send}. Any other redirect fails naming the
   * {@code Location}: the API key is never sent to another origin, and a 301/302/303 would turn the POST into
   * a GET.
   *
   * @return {@code null} when it is to be followed; else the failure
   */
  @Nullable StreamException redirect(int status, HttpHeaders headers) {
    String location = headers.firstValue("location").orElse(null);
    HttpRequest current = request;
    URI from = current == null ? config.endpoint() : current.uri();
    URI to = Redirects.resolve(from, location);
    String refusal = Redirects.refusal(status, from, to, redirects, MAX_REDIRECTS);
    if (refusal == null && to != null) {
      redirects++;
      LOG.debug("Following an HTTP {} redirect to the same origin, path {}", status, to.getRawPath());
      request = HttpRequests.build(config, to, requestBody);
      return null;
    }
    return Redirects.failure(status, location, refusal, Headers.requestId(headers));
  }

  /** Tells the provider's listener about a response; what it throws is logged and ignored. */
  void notify(GroqResponseInfo info) {
    Consumer<GroqResponseInfo> l = config.onResponse();
    if (l == null) {
      return;
    }
    try {
      l.accept(info);
    } catch (RuntimeException e) {
      LOG.warn("Exception thrown by the onResponse listener", e);
    }
  }

  /**
   * The answer is complete but the response body is not (its end, typically the chunked terminator, comes
   * after {@code [DONE]}): the client reads that end so that an HTTP/1.1 connection goes back to its pool
   * instead of being closed (cancelling an exchange closes its connection: every answer then pays a new
   * TCP, or TLS, handshake). The exchange is cancelled if its body has not ended within {@code grace}, so a
   * server that keeps the body open holds nothing for long. The exchange is forgotten: {@link #cancel}
   * does nothing afterwards.
   */
  void drain(Duration grace) {
    CompletableFuture<?> f = sending;
    sending = null;
    if (f == null || f.isDone()) {
      return;
    }
    Future<?> deadline = config.scheduler().schedule(grace, () -> f.cancel(true));
    f.whenComplete((ignored, t) -> deadline.cancel(false));
  }

  /** Aborts the exchange in flight, if any. */
  void cancel() {
    CompletableFuture<?> f = sending;
    sending = null;
    if (f != null) {
      f.cancel(true);
    }
  }
}
