/** The WebFlux side of the starter: the relay endpoints as router functions and the owner resolver. */
@NullMarked
package dev.llmstream.spring.webflux;

import org.jspecify.annotations.NullMarked;
