package dev.llmstream.examples.spring;

import dev.llmstream.spring.mvc.ServletOwnerResolver;
import dev.llmstream.web.RunOptions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The two calls the chat page makes besides the relay's: its conversation on load (history and the running
 * answer to resume, from {@link ChatMemory}) and "retry", which this example answers by asking the user to
 * send the question again (the {@code web} example re-asks on the server). Thread-safe.
 */
@RestController
class ChatPageController {
  private final ChatMemory memory;
  private final ServletOwnerResolver owners;
  private final String endpoint;

  ChatPageController(
      ChatMemory memory,
      ServletOwnerResolver owners,
      @Value("${" + SimulatedUpstream.ENDPOINT + ":}") String endpoint) {
    this.memory = memory;
    this.owners = owners;
    this.endpoint = endpoint;
  }

  @GetMapping("/api/chats/{chat}")
  ResponseEntity<Map<String, Object>> chat(
      @PathVariable("chat") String chat, HttpServletRequest req, HttpServletResponse resp) {
    if (!RunOptions.isValidSlot(chat)) {
      return ResponseEntity.badRequest().body(Map.of("error", "'chat' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'"));
    }
    ChatMemory.View v = memory.view(owners.resolve(req, resp), chat);
    Map<String, Object> body = new HashMap<>();
    body.put("history", v.history());
    body.put("running", v.running());
    body.put("endpoint", endpoint);
    return ResponseEntity.ok(body);
  }

  @PostMapping("/api/chats/{chat}/retry")
  ResponseEntity<Map<String, Object>> retry(@PathVariable("chat") String chat) {
    return ResponseEntity.status(HttpStatus.CONFLICT)
        .body(Map.of("error", "send the question again to retry it"));
  }
}
