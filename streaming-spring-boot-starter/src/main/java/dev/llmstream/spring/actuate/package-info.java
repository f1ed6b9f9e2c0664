/** Actuator support: the health indicator and the masking of the API key at {@code /env} and {@code /configprops}. */
@NullMarked
package dev.llmstream.spring.actuate;

import org.jspecify.annotations.NullMarked;
