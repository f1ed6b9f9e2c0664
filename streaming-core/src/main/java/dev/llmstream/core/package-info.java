/**
 * The provider-neutral streaming API.
 *
 * <ul>
 *   <li>{@link dev.llmstream.core.TokenStream}: the events of one model answer, a cold single-use
 *       {@link java.util.concurrent.Flow.Publisher} of {@link dev.llmstream.core.StreamEvent}s, obtained from
 *       a {@link dev.llmstream.core.ChatProvider} for a {@link dev.llmstream.core.ChatRequest}.
 *   <li>{@link dev.llmstream.core.CancellationToken}: the caller's Stop button, for one or many streams.
 *   <li>{@link dev.llmstream.core.StreamState}: the life cycle, observable with
 *       {@link dev.llmstream.core.TokenStream#onStateChange}.
 *   <li>{@link dev.llmstream.core.UiConnection#connect} and {@link dev.llmstream.core.UiSink}: deliver an answer to a UI
 *       thread in smooth batches ({@link dev.llmstream.core.UiConnection#buffer} alone for a subscriber of your own; configured by
 *       {@link dev.llmstream.core.UiConfig}), with typing, progress and
 *       {@link dev.llmstream.core.StreamMetrics}.
 *   <li>{@link dev.llmstream.core.RecoveryPolicy}: what a stream does when its connection breaks
 *       mid-answer.
 *   <li>{@link dev.llmstream.core.StreamException} (with its {@link dev.llmstream.core.ErrorKind}; the one
 *       subclass {@link dev.llmstream.core.RateLimitException}): typed errors that carry the partial
 *       answer; {@link dev.llmstream.core.ChatResponse}: the answer folded from the events.
 *   <li>{@link dev.llmstream.core.StreamScheduler}: the injected clock and timer.
 * </ul>
 *
 * <p>Everything is non-null unless marked {@link org.jspecify.annotations.Nullable}. Implementations live in
 * {@code dev.llmstream.core.internal}; providers implement {@code dev.llmstream.core.spi}.
 */
@NullMarked
package dev.llmstream.core;

import org.jspecify.annotations.NullMarked;
