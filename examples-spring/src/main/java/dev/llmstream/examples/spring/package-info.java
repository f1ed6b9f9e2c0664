/** The browser chat as a Spring Boot application on {@code streaming-spring-boot-starter}. */
@NullMarked
package dev.llmstream.examples.spring;

import org.jspecify.annotations.NullMarked;
