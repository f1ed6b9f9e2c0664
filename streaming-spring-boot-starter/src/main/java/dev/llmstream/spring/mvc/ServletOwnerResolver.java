package dev.llmstream.spring.mvc;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Who is asking, for the MVC relay endpoints: runs belong to the owner that started them, and another
 * owner's run answers 404. The default uses the authenticated principal ({@link
 * HttpServletRequest#getUserPrincipal()}, which Spring Security fills in) and otherwise an HttpOnly,
 * SameSite=Strict {@code sid} cookie of 128 random bits, set on the response when missing. Define a bean
 * of this type to replace it. Called on a request thread; must be thread-safe and must not block.
 */
@FunctionalInterface
public interface ServletOwnerResolver {
  /**
   * The owner of this request.
   *
   * @param request the request
   * @param response the response (to set a cookie on)
   * @return the owner, 1-256 characters
   */
  String resolve(HttpServletRequest request, HttpServletResponse response);
}
