package dev.llmstream.spring.internal;

import dev.llmstream.spring.LlmStreamRelayProperties;
import dev.llmstream.spring.mvc.ServletOwnerResolver;
import dev.llmstream.web.servlet.ServletSse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The MVC relay endpoints, thin: the owner from the resolver, the logic in {@link RelayService}, the event
 * stream through {@link ServletSse} (the request goes async at once, so no container thread waits on an
 * answer). Paths come from {@code llmstream.relay.paths.*} with the defaults of
 * {@link LlmStreamRelayProperties}. Thread-safe.
 */
@org.springframework.stereotype.Controller
@ResponseBody
public class MvcRelayController {
  private final RelayService relay;
  private final ServletOwnerResolver owners;

  /**
   * Creates the endpoints.
   *
   * @param relay the shared logic
   * @param owners the owner resolver
   */
  public MvcRelayController(RelayService relay, ServletOwnerResolver owners) {
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
   * Starts an answer.
   *
   * @param body the body
   * @param req the request
   * @param resp the response
   * @return the reply, when the run exists
   */
  @PostMapping(
      path = "${llmstream.relay.paths.chat:" + LlmStreamRelayProperties.CHAT + "}",
      produces = MediaType.APPLICATION_JSON_VALUE)
  public CompletionStage<ResponseEntity<Map<String, Object>>> chat(
      @RequestBody(required = false) @Nullable ChatBody body, HttpServletRequest req, HttpServletResponse resp) {
    String owner = owners.resolve(req, resp);
    return relay
        .chat(owner, body == null ? null : body.message(), body == null ? null : body.chat())
        .thenApply(MvcRelayController::entity);
  }

  /**
   * The run's event stream (or 400, 404, 204).
   *
   * @param id the run
   * @param req the request
   * @param resp the response
   */
  @GetMapping(path = "${llmstream.relay.paths.events:" + LlmStreamRelayProperties.EVENTS + "}")
  public void events(@PathVariable("id") String id, HttpServletRequest req, HttpServletResponse resp) {
    ServletSse.serve(req, resp, relay.runs(), owners.resolve(req, resp), id);
  }

  /**
   * Stops a run.
   *
   * @param id the run
   * @param req the request
   * @param resp the response
   * @return the reply
   */
  @PostMapping(
      path = "${llmstream.relay.paths.stop:" + LlmStreamRelayProperties.STOP + "}",
      produces = MediaType.APPLICATION_JSON_VALUE)
  public CompletionStage<ResponseEntity<Map<String, Object>>> stop(
      @PathVariable("id") String id, HttpServletRequest req, HttpServletResponse resp) {
    return relay.stop(owners.resolve(req, resp), id).thenApply(MvcRelayController::entity);
  }

  private static ResponseEntity<Map<String, Object>> entity(RelayService.Reply r) {
    return ResponseEntity.status(r.status()).cacheControl(CacheControl.noStore()).body(r.body());
  }
}
