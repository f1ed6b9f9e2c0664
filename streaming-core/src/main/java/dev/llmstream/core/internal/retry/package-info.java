/** The retry model: which failures are tried again, and when (on Failsafe). Not API. */
@NullMarked
package dev.llmstream.core.internal.retry;

import org.jspecify.annotations.NullMarked;
