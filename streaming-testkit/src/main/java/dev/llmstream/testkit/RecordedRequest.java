package dev.llmstream.testkit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request received by {@link FakeGroqServer}, for assertions:
 *
 * <pre>{@code
 * RecordedRequest r = server.requests().get(0);
 * assertThat(r.path()).isEqualTo("/openai/v1/chat/completions");
 * assertThat(r.header("authorization")).isEqualTo("Bearer test-key");
 * assertThat(r.json()).containsEntry("stream", true).containsEntry("model", "llama-3.3-70b-versatile");
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@link #toString()} names the headers but never shows their values
 * (the {@code authorization} header holds an API key).
 */
public final class RecordedRequest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final int index;
  private final String method;
  private final String path;
  private final Map<String, List<String>> headers;
  private final String body;

  /**
   * Creates a record (the server does this; public for tests of users' own dispatchers).
   *
   * @param index the request's position among all requests the server received, from 0
   * @param method the HTTP method
   * @param path the request target (path and query)
   * @param headers the headers, names in lower case
   * @param body the body, decoded as UTF-8
   */
  public RecordedRequest(int index, String method, String path, Map<String, List<String>> headers, String body) {
    this.index = index;
    this.method = Objects.requireNonNull(method, "method");
    this.path = Objects.requireNonNull(path, "path");
    this.headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    this.body = Objects.requireNonNull(body, "body");
  }

  /**
   * The request's position among all requests the server received, from 0.
   *
   * @return the index
   */
  public int index() {
    return index;
  }

  /**
   * The HTTP method, such as {@code POST}.
   *
   * @return the method
   */
  public String method() {
    return method;
  }

  /**
   * The request target, such as {@code /openai/v1/chat/completions}.
   *
   * @return the path (with query, if any)
   */
  public String path() {
    return path;
  }

  /**
   * All headers, names in lower case.
   *
   * @return the headers
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * The first value of a header.
   *
   * @param name the header name, any case
   * @return the value, or {@code null} if absent
   */
  public @Nullable String header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /**
   * The body as text.
   *
   * @return the body (empty when none)
   */
  public String body() {
    return body;
  }

  /**
   * The body parsed as a JSON object (nested objects as maps, arrays as lists).
   *
   * @return the parsed body
   * @throws IllegalStateException if the body is not a JSON object
   */
  public Map<String, Object> json() {
    try {
      Map<String, Object> m = MAPPER.readValue(body, new TypeReference<Map<String, Object>>() {});
      if (m == null) {
        throw new IllegalStateException("request " + index + " body is not a JSON object");
      }
      return m;
    } catch (IOException e) {
      throw new IllegalStateException("request " + index + " body is not a JSON object: " + e.getMessage(), e);
    }
  }

  /**
   * The {@code model} of a chat request, or {@code null} when absent or the body is not JSON.
   *
   * @return the model
   */
  public @Nullable String model() {
    Object m = jsonOrEmpty().get("model");
    return m instanceof String s ? s : null;
  }

  /**
   * The text of the last {@code user} message of a chat request, or an empty string when there is none.
   *
   * @return the prompt
   */
  public String lastUserMessage() {
    Object messages = jsonOrEmpty().get("messages");
    String last = "";
    if (messages instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof Map<?, ?> msg && "user".equals(msg.get("role")) && msg.get("content") instanceof String c) {
          last = c;
        }
      }
    }
    return last;
  }

  private Map<String, Object> jsonOrEmpty() {
    try {
      return json();
    } catch (IllegalStateException e) {
      return Map.of();
    }
  }

  @Override
  public String toString() {
    return "RecordedRequest[" + index + " " + method + " " + path + ", headers=" + headers.keySet()
        + ", body=" + body.length() + " chars]";
  }
}
