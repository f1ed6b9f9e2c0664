package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

/** Builds the chat-completions request. Stateless. */
final class HttpRequests {
  private HttpRequests() {
    throw new AssertionError("no instances");
  }

  /**
   * The POST of {@code body} to {@code uri} with the provider's headers and key.
   *
   * @throws StreamException (CALLER) if a header cannot be sent; never with the header's value in it
   */
  static HttpRequest build(GroqConfig config, URI uri, byte[] body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(uri)
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .header("Content-Type", "application/json")
              .header("Accept", "text/event-stream")
              .header("User-Agent", "llmstream-java/0.1");
      String key = config.apiKey();
      if (key != null) {
        b.header("Authorization", "Bearer " + key);
      }
      config.headers().forEach(b::header);
      if (config.http11()) {
        b.version(HttpClient.Version.HTTP_1_1);
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      // The JDK's message quotes the offending header value, which may be the Authorization header: neither
      // the message nor the exception goes anywhere. (The builder validates the key and the headers, so
      // this is a last line of defence.)
      throw new StreamException(
          ErrorKind.CALLER,
          "The HTTP request could not be built: a header name or value (the API key or one set with "
              + "GroqProvider.Builder.header) has a character HTTP does not allow; check the configuration",
          StreamException.NO_STATUS,
          null,
          null);
    }
  }
}
