package dev.llmstream.spring.internal;

import java.security.Principal;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * Which principals are users when Spring Security is on the class path (loaded only then): an
 * {@link Authentication} counts only when it is authenticated and not anonymous, so that Spring Security's
 * {@code anonymousUser} (the same name for every visitor) never becomes one owner shared by everyone;
 * such visitors get the {@code sid} cookie. Stateless; thread-safe.
 */
public final class SecurityPrincipals {
  private SecurityPrincipals() {}

  /**
   * Whether {@code p} is an authenticated user.
   *
   * @param p the request's principal
   * @return false for an anonymous or unauthenticated {@link Authentication}, true otherwise
   */
  public static boolean isUser(Principal p) {
    if (p instanceof Authentication a) {
      return a.isAuthenticated() && !(a instanceof AnonymousAuthenticationToken);
    }
    return true;
  }
}
