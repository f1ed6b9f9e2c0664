/** Implementation details of the Micrometer bridge; not API. */
@NullMarked
package dev.llmstream.micrometer.internal;

import org.jspecify.annotations.NullMarked;
