package dev.llmstream.examples.spring;

import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The two calls the chat page makes besides the relay's: its conversation on load and "retry". This
 * example keeps no conversation on the server (the starter's default {@code ChatRequestFactory} answers
 * each message on its own), so a reload shows an empty conversation and retry says to send the question
 * again; the {@code web} example shows a server-side history. Stateless and thread-safe.
 */
@RestController
class ChatPageController {
  private final String endpoint;

  ChatPageController(@Value("${" + SimulatedUpstream.ENDPOINT + ":}") String endpoint) {
    this.endpoint = endpoint;
  }

  @GetMapping("/api/chats/{chat}")
  Map<String, Object> chat(@PathVariable("chat") String chat) {
    return Map.of("history", List.of(), "endpoint", endpoint);
  }

  @PostMapping("/api/chats/{chat}/retry")
  ResponseEntity<Map<String, Object>> retry(@PathVariable("chat") String chat) {
    return ResponseEntity.status(HttpStatus.CONFLICT)
        .body(Map.of("error", "this example keeps no history: send the question again"));
  }
}
