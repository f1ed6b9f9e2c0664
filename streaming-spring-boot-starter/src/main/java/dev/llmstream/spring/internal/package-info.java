/** Implementation of the starter; not API. */
@NullMarked
package dev.llmstream.spring.internal;

import org.jspecify.annotations.NullMarked;
