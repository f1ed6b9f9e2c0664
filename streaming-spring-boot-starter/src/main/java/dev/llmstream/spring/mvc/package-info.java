/** The Spring MVC (Servlet) side of the starter: the relay endpoints and the owner resolver. */
@NullMarked
package dev.llmstream.spring.mvc;

import org.jspecify.annotations.NullMarked;
