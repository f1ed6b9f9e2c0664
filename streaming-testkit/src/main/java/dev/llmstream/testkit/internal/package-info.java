/** Implementation of the testkit: the loopback HTTP server, the response plans and the JSON writer. */
@NullMarked
package dev.llmstream.testkit.internal;

import org.jspecify.annotations.NullMarked;
