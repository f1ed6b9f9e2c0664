/**
 * The provider-neutral streaming API: {@link dev.llmstream.core.TokenStream} (a
 * {@link java.util.concurrent.Flow.Publisher} of {@link dev.llmstream.core.StreamEvent}s for one model
 * answer), {@link dev.llmstream.core.CancellationToken}, {@link dev.llmstream.core.StreamState},
 * the answer accumulator {@link dev.llmstream.core.AnswerAccumulator} and the request model
 * {@link dev.llmstream.core.ChatRequest}.
 *
 * <p>Everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.llmstream.core;

import org.jspecify.annotations.NullMarked;
