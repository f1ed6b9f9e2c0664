package dev.llmstream.groq.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import java.net.URI;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Which HTTP redirects the provider follows: only 307 and 308 (they keep the method and body) to the same
 * origin (scheme, host, port), so the {@code Authorization} header never reaches another origin and a
 * POST never silently becomes a GET. Stateless.
 */
public final class Redirects {
  private static final int MAX_LOCATION = 200;

  private Redirects() {
    throw new AssertionError("no instances");
  }

  /**
   * The redirect target.
   *
   * @param from the request's URI
   * @param location the {@code Location} header, or {@code null}
   * @return the absolute target, or {@code null} if missing or not a valid URI
   */
  public static @Nullable URI resolve(URI from, @Nullable String location) {
    if (location == null || location.isBlank()) {
      return null;
    }
    try {
      return from.resolve(location.strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Why a redirect is not followed.
   *
   * @param status the 3xx status
   * @param from the request's URI
   * @param to the resolved target, or {@code null}
   * @param followed how many redirects this exchange already followed
   * @param max the most redirects followed
   * @return the reason, or {@code null} to follow it
   */
  public static @Nullable String refusal(int status, URI from, @Nullable URI to, int followed, int max) {
    if (status != 307 && status != 308) {
      return "only 307 and 308 redirects are followed (a " + status + " would turn the POST into a GET)";
    }
    if (to == null) {
      return "the Location is missing or not a valid URL";
    }
    if (!sameOrigin(from, to)) {
      return "it leads to another origin, where the API key must not be sent";
    }
    if (followed >= max) {
      return "more than " + max + " redirects in a row";
    }
    return null;
  }

  /**
   * The error of a redirect that is not followed.
   *
   * @param status the 3xx status
   * @param location the {@code Location} header, or {@code null}
   * @param refusal why it is not followed
   * @param requestId the response's request id, or {@code null}
   * @return a {@link ErrorKind#BAD_REQUEST} error naming the location (not retried, not recovered)
   */
  public static StreamException failure(
      int status, @Nullable String location, @Nullable String refusal, @Nullable String requestId) {
    return new StreamException(
        ErrorKind.BAD_REQUEST,
        "The server answered HTTP " + status + " redirecting to "
            + (location == null ? "(no Location header)" : "'" + bounded(location) + "'") + ": " + refusal
            + ". Set the base URL to where the API really is",
        status,
        requestId,
        null);
  }

  /**
   * Cuts a {@code Location} for a message.
   *
   * @param location the header
   * @return at most 200 characters of it
   */
  public static String bounded(String location) {
    String l = location.strip();
    return l.length() <= MAX_LOCATION ? l : l.substring(0, MAX_LOCATION) + "…";
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null
        && a.getScheme().equalsIgnoreCase(String.valueOf(b.getScheme()))
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(String.valueOf(b.getHost()))
        && port(a) == port(b);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equals(String.valueOf(u.getScheme()).toLowerCase(Locale.ROOT)) ? 443 : 80;
  }
}
