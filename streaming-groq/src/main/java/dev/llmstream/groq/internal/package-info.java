/** Implementation details of the Groq provider; not API, may change in any release. */
@NullMarked
package dev.llmstream.groq.internal;

import org.jspecify.annotations.NullMarked;
