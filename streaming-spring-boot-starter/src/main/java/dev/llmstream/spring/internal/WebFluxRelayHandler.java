package dev.llmstream.spring.internal;

import dev.llmstream.spring.LlmStreamRelayProperties;
import dev.llmstream.spring.webflux.ReactiveOwnerResolver;
import dev.llmstream.web.RunReader;
import dev.llmstream.web.SseRequests;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The WebFlux relay endpoints, thin: the owner from the resolver, the logic in {@link RelayService}, the
 * event stream a {@code Flux<ServerSentEvent<String>>} from {@link FluxSseSink} (paced by the
 * connection's demand, cancelled with the subscription). Thread-safe.
 */
public final class WebFluxRelayHandler {
  private static final MediaType EVENT_STREAM = new MediaType(MediaType.TEXT_EVENT_STREAM, StandardCharsets.UTF_8);
  private static final ParameterizedTypeReference<ServerSentEvent<String>> EVENTS = new ParameterizedTypeReference<>() {};

  private final RelayService relay;
  private final ReactiveOwnerResolver owners;

  /**
   * Creates the handler.
   *
   * @param relay the shared logic
   * @param owners the owner resolver
   */
  public WebFluxRelayHandler(RelayService relay, ReactiveOwnerResolver owners) {
    this.relay = relay;
    this.owners = owners;
  }

  /**
   * The chat endpoint's body.
   *
   * @param message the user's message
   * @param chat the conversation slot, or null for the default
   */
  public record ChatBody(@Nullable String message, @Nullable String chat) {}

  /**
   * The routes at {@code paths}.
   *
   * @param paths the paths
   * @return the routes
   */
  public RouterFunction<ServerResponse> routes(LlmStreamRelayProperties.Paths paths) {
    return RouterFunctions.route()
        .POST(paths.chat(), this::chat)
        .GET(paths.events(), this::events)
        .POST(paths.stop(), this::stop)
        .build();
  }

  private Mono<ServerResponse> chat(ServerRequest req) {
    return owners
        .resolve(req.exchange())
        .flatMap(
            owner ->
                req.bodyToMono(ChatBody.class)
                    .defaultIfEmpty(new ChatBody(null, null))
                    .flatMap(b -> Mono.fromCompletionStage(relay.chat(owner, b.message(), b.chat()))))
        .flatMap(WebFluxRelayHandler::reply);
  }

  private Mono<ServerResponse> stop(ServerRequest req) {
    String id = req.pathVariable("id");
    return owners
        .resolve(req.exchange())
        .flatMap(owner -> Mono.fromCompletionStage(relay.stop(owner, id)))
        .flatMap(WebFluxRelayHandler::reply);
  }

  private Mono<ServerResponse> events(ServerRequest req) {
    String id = req.pathVariable("id");
    long after;
    try {
      after =
          SseRequests.resumeAfter(
              req.headers().firstHeader("Last-Event-ID"), req.queryParam("after").orElse(null));
    } catch (IllegalArgumentException e) {
      return reply(new RelayService.Reply(400, Map.of("error", String.valueOf(e.getMessage()))));
    }
    return owners
        .resolve(req.exchange())
        .flatMap(owner -> Mono.fromCompletionStage(relay.runs().open(owner, id, after)))
        .flatMap(
            found -> {
              if (found.isEmpty()) {
                return reply(new RelayService.Reply(404, Map.of("error", "no such answer")));
              }
              RunReader reader = found.get();
              if (!reader.hasMore()) {
                return ServerResponse.noContent().build();
              }
              return ServerResponse.ok()
                  .headers(h -> RunReader.HEADERS.forEach(h::set))
                  .contentType(EVENT_STREAM)
                  .body(FluxSseSink.events(reader), EVENTS);
            });
  }

  private static Mono<ServerResponse> reply(RelayService.Reply r) {
    return ServerResponse.status(r.status())
        .contentType(MediaType.APPLICATION_JSON)
        .cacheControl(CacheControl.noStore())
        .bodyValue(r.body());
  }
}
