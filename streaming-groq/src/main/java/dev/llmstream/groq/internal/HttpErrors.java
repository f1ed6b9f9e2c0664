package dev.llmstream.groq.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import dev.llmstream.groq.GroqRateLimitException;
import dev.llmstream.groq.RateLimitInfo;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** Maps a non-2xx response (status, headers, bounded body) to the typed error. Stateless. */
public final class HttpErrors {
  private HttpErrors() {
    throw new AssertionError("no instances");
  }

  /**
   * The typed error for an HTTP error response.
   *
   * @param mapper the shared mapper
   * @param status the HTTP status
   * @param headers the response headers
   * @param body the first bytes of the body
   * @param length the number of valid bytes
   * @param model the model the request named, for the message
   * @return the exception (never carries the API key)
   */
  public static StreamException forStatus(
      ObjectMapper mapper, int status, HttpHeaders headers, byte[] body, int length, String model) {
    String requestId = Headers.requestId(headers);
    String serverMessage = serverMessage(mapper, body, length);
    String said = serverMessage == null ? "" : ": " + ChunkDecoder.bounded(serverMessage);
    if (status == 401 || status == 403) {
      return new StreamException(ErrorKind.AUTHENTICATION, "The server rejected the credentials (HTTP " + status + ")" + said
              + ". Check the API key (GROQ_API_KEY or GroqProvider.Builder.apiKey(..)) and its permissions",
          status, requestId, null);
    }
    if (status == 429) {
      RateLimitInfo info = Headers.rateLimit(headers);
      return new GroqRateLimitException(
          "Rate limit exceeded (HTTP 429)" + said
              + (info.retryAfter() != null ? ". Retry after " + info.retryAfter().toMillis() + " ms" : ""),
          status, requestId, info);
    }
    if (status == 498 || status == 503) {
      return new StreamException(ErrorKind.CAPACITY, "The service is over capacity for model " + model + " (HTTP " + status + ")" + said
              + ". Try again later or use another model or service tier",
          status, requestId, null);
    }
    if (status == 408) {
      return new StreamException(ErrorKind.CONNECTION, "The server timed out reading the request (HTTP 408)" + said, status, requestId, null);
    }
    if (status >= 500) {
      return new StreamException(ErrorKind.SERVER, "The server failed (HTTP " + status + ")" + said + ". Try again later", status, requestId, null);
    }
    if (status == 409) {
      return new StreamException(ErrorKind.SERVER, "The server reported a conflict (HTTP 409)" + said + ". Try again", status, requestId, null);
    }
    if (status >= 400) {
      String advice;
      switch (status) {
        case 404:
          advice = ". Check the model name ('" + model + "') and the base URL";
          break;
        case 413:
          advice = ". Shorten the request (messages, tools) or raise your plan's per-minute token allowance";
          break;
        default:
          advice = ". Fix the request";
      }
      return new StreamException(ErrorKind.BAD_REQUEST, "The server rejected the request (HTTP " + status + ")" + said + advice, status, requestId, null);
    }
    return new StreamException(ErrorKind.PROTOCOL, "Unexpected HTTP status " + status + " for a streamed chat completion" + said,
        status, requestId, null);
  }

  /** The {@code error.message} of a JSON error body, else a bounded excerpt of the body, else null. */
  static @Nullable String serverMessage(ObjectMapper mapper, byte[] body, int length) {
    if (length == 0) {
      return null;
    }
    try {
      JsonNode root = mapper.readTree(body, 0, length);
      if (root != null) {
        JsonNode error = root.get("error");
        JsonNode message = error != null && error.isObject() ? error.get("message") : root.get("message");
        if (message == null && error != null && error.isTextual()) {
          message = error;
        }
        if (message != null && message.isTextual()) {
          return message.asText();
        }
      }
    } catch (IOException | RuntimeException notJson) {
      // fall through to the raw excerpt
    }
    return new String(body, 0, Math.min(length, 600), StandardCharsets.UTF_8).strip();
  }

  /**
   * A 2xx response that is not an event stream (nor a whole answer).
   *
   * @param mapper the provider's mapper
   * @param status the status
   * @param headers the headers
   * @param body the first bytes of the body
   * @param length their count
   * @return a {@link ErrorKind#PROTOCOL} error naming the content type
   */
  static StreamException notEventStream(
      ObjectMapper mapper, int status, HttpHeaders headers, byte[] body, int length) {
    String said = serverMessage(mapper, body, length);
    return new StreamException(
        ErrorKind.PROTOCOL,
        "Expected a text/event-stream response but got content type "
            + headers.firstValue("content-type").orElse("(none)")
            + (said == null ? "" : ": " + ChunkDecoder.bounded(said))
            + ". Is the base URL an OpenAI-compatible endpoint that supports streaming?",
        status,
        Headers.requestId(headers),
        null);
  }
}
