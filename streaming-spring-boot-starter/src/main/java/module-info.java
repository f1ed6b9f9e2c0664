/**
 * Spring Boot auto-configuration and starter for llmstream: a Groq provider and answer runs from
 * {@code llmstream.*} properties, relay endpoints for Spring MVC and WebFlux, health and metrics.
 *
 * <p>Exports the API packages only: the properties and extension points ({@code dev.llmstream.spring}),
 * and one package per optional integration ({@code mvc}, {@code webflux}, {@code actuate}, {@code redis}).
 * The implementation in {@code dev.llmstream.spring.internal} is not exported; it is opened to the Spring
 * modules that call into it by reflection (bean destroy methods, the MVC controller's handler methods).
 *
 * <p>Spring Boot's auto-configuration instantiates the configuration classes, invokes their {@code @Bean}
 * methods and binds the properties records by reflection, so each package that holds one is opened to the
 * Spring modules that do so. Every integration that the application may leave out (MVC, WebFlux, the
 * actuator, Spring Security, Micrometer, Redis) is {@code requires static}: its configuration is guarded by
 * {@code @ConditionalOnClass} and never loaded without it.
 */
// Spring, Reactor, Lettuce and Micrometer ship Automatic-Module-Name entries, not descriptors: requiring
// them by those stable names is the intended use, so the automatic-module lints say nothing useful here.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.llmstream.spring {
  requires transitive dev.llmstream.core;
  requires transitive dev.llmstream.groq;
  requires transitive dev.llmstream.web;
  requires transitive spring.beans;
  requires transitive spring.boot;
  requires transitive spring.boot.autoconfigure;
  requires transitive spring.context;
  requires transitive spring.core;
  requires org.slf4j;
  // Spring's jars are automatic modules and cannot declare that they need Commons Logging, an explicit
  // module that nothing else requires: requiring it here puts it in the module graph, so a modular
  // application needs no --add-modules for it.
  requires org.apache.commons.logging;

  // Optional integrations, each guarded by conditions on class. Not transitive although their types appear
  // in this module's API: javac treats a `static transitive` module as mandatory when compiling every
  // module that reads this one, so an MVC application would have to put WebFlux, Redis, Micrometer, ...
  // on its module path. An application that uses an integration requires its module itself.
  requires static spring.web;
  requires static spring.webmvc;
  requires static jakarta.servlet;
  requires static spring.webflux;
  requires static reactor.core;
  requires static spring.boot.health;
  requires static spring.boot.actuator;
  requires static micrometer.core;
  requires static micrometer.observation;
  requires static dev.llmstream.micrometer;
  requires static dev.llmstream.redis;
  requires static spring.security.core;
  requires static lettuce.core;

  exports dev.llmstream.spring;
  exports dev.llmstream.spring.actuate;
  exports dev.llmstream.spring.mvc;
  exports dev.llmstream.spring.redis;
  exports dev.llmstream.spring.webflux;

  opens dev.llmstream.spring to spring.core, spring.beans, spring.context, spring.boot;
  opens dev.llmstream.spring.actuate to spring.core, spring.beans, spring.context, spring.boot;
  opens dev.llmstream.spring.mvc to spring.core, spring.beans, spring.context, spring.boot;
  opens dev.llmstream.spring.redis to spring.core, spring.beans, spring.context, spring.boot;
  opens dev.llmstream.spring.webflux to spring.core, spring.beans, spring.context, spring.boot;
  opens dev.llmstream.spring.internal to spring.core, spring.beans, spring.context, spring.web;
}
