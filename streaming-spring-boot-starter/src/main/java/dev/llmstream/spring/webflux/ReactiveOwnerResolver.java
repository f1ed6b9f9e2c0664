package dev.llmstream.spring.webflux;

import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Who is asking, for the WebFlux relay endpoints: runs belong to the owner that started them, and another
 * owner's run answers 404. The default uses the exchange's principal ({@link
 * ServerWebExchange#getPrincipal()}, which Spring Security fills in) and otherwise an HttpOnly,
 * SameSite=Strict {@code sid} cookie of 128 random bits, set on the response when missing. Define a bean
 * of this type to replace it. Must be thread-safe and must not block.
 */
@FunctionalInterface
public interface ReactiveOwnerResolver {
  /**
   * The owner of this exchange.
   *
   * @param exchange the exchange (to read the principal or a cookie, and set one)
   * @return the owner, 1-256 characters
   */
  Mono<String> resolve(ServerWebExchange exchange);
}
