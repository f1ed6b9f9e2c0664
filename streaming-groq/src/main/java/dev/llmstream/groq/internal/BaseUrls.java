package dev.llmstream.groq.internal;

import dev.llmstream.groq.GroqProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Validation of the base URL and the loopback test behind the plain-http rule. Stateless. */
public final class BaseUrls {
  private BaseUrls() {
    throw new AssertionError("no instances");
  }

/**
 * Parses and checks a base URL.
 *
 * @param baseUrl the URL
 * @return the URI
 * @throws IllegalArgumentException naming what is wrong with it
 */
public static URI parse(String baseUrl) {
    URI uri;
    try {
      uri = new URI(baseUrl.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("baseUrl is not a valid URL: " + e.getMessage(), e);
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "baseUrl must be an absolute http(s) URL with a host, such as " + GroqProvider.DEFAULT_BASE_URL + ", was '"
              + baseUrl + "'");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("baseUrl must not have a query or fragment, was '" + baseUrl + "'");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("baseUrl must not contain user info; use apiKey(..) or header(..)");
    }
    return uri;
  }

/**
 * Whether a host is a loopback address ({@code localhost}, {@code *.localhost}, 127.0.0.0/8, {@code ::1}).
 *
 * @param host the host
 * @return {@code true} for loopback
 */
public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
