/** Implementation of the relay: not API, may change without notice. */
@NullMarked
package dev.llmstream.web.internal;

import org.jspecify.annotations.NullMarked;
