package dev.llmstream.spring.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The default owner rule shared by the MVC and WebFlux resolvers: an authenticated principal's name
 * ({@code p:} + name, hashed when long) or the {@code sid} cookie ({@code s:} + 22 URL-safe base64
 * characters, 128 random bits). The prefixes keep a cookie value from ever equalling a user name.
 * Thread-safe.
 */
public final class Owners {
  /** The cookie's name. */
  public static final String COOKIE = "sid";

  private static final Pattern SID = Pattern.compile("[A-Za-z0-9_-]{22}");
  private final SecureRandom random;

  /**
   * Creates the rule.
   *
   * @param random where new session ids come from
   */
  public Owners(SecureRandom random) {
    this.random = random;
  }

  /**
   * The owner for an authenticated principal.
   *
   * @param name the principal's name
   * @return the owner
   */
  public static String ofPrincipal(String name) {
    if (name.length() <= 200) {
      return "p:" + name;
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return "p#" + HexFormat.of().formatHex(h);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /**
   * Whether a cookie value is a session id this rule issued (the format, not a lookup).
   *
   * @param value the cookie value, or null
   * @return whether it is well formed
   */
  public static boolean isSid(@Nullable String value) {
    return value != null && SID.matcher(value).matches();
  }

  /**
   * The owner for a session id.
   *
   * @param sid a well-formed session id
   * @return the owner
   */
  public static String ofSid(String sid) {
    return "s:" + sid;
  }

  /**
   * A new session id.
   *
   * @return 22 URL-safe base64 characters (128 random bits)
   */
  public String newSid() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
