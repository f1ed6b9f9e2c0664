/**
 * Spring Boot auto-configuration for llmstream: a {@link dev.llmstream.groq.GroqProvider} and
 * {@link dev.llmstream.web.AnswerRuns} from {@code llmstream.*} properties, relay endpoints for Spring MVC
 * and WebFlux, an owner resolver the application can replace, and a health indicator.
 *
 * <p>Auto-configuration and starter are one module: Spring Boot splits them for its own large catalogue,
 * but for one library the split only adds an empty POM to keep in step; the optional Spring dependencies
 * (MVC, WebFlux, actuator) stay {@code optional} here, and every bean is guarded by conditions.
 */
@NullMarked
package dev.llmstream.spring;

import org.jspecify.annotations.NullMarked;
