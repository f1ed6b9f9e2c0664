package dev.llmstream.groq.internal;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.Usage;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one chat-completion chunk says, as far as the answer cares: the parsers ({@link FastChunkParser},
 * {@link JacksonChunkParser}) fill it from JSON, {@link AnswerRules} applies it to the answer. A chunk the
 * parser stopped reading part-way (at an error object, or when it turned out malformed) holds what was read
 * before that point.
 *
 * <p>Mutable and reused: one per decoder, {@link #clear() cleared} before each event. Not thread-safe.
 */
final class Chunk {
  /** The text, reasoning and tool-call deltas of choice 0, in wire order. */
  final List<StreamEvent> deltas = new ArrayList<>();

  /** The last non-empty {@code finish_reason} of choice 0, or {@code null}. */
  @Nullable String finish;

  /** The last usage the chunk carried ({@code x_groq.usage} or {@code usage}), or {@code null}. */
  @Nullable Usage usage;

  /** The first {@code model} string of the chunk, if the parser was asked for it, or {@code null}. */
  @Nullable String model;

  /** The first {@code x_groq.id} (at most 200 characters and an ellipsis), if asked for, or {@code null}. */
  @Nullable String id;

  /** The error object the chunk reported, or {@code null}; the parser stops reading at it. */
  @Nullable WireError error;

  /** Whether any delta was decoded, including those of other choices that were then dropped. */
  boolean sawToken;

  /** Forgets everything, for the next event. */
  void clear() {
    deltas.clear();
    finish = null;
    usage = null;
    model = null;
    id = null;
    error = null;
    sawToken = false;
  }

  /**
   * An error the server reported inside the stream.
   *
   * @param message the server's message (unbounded; the rules bound it)
   * @param type the error type, or {@code null}
   * @param code the error code, or {@code null}
   * @param status the status the error names, or {@link dev.llmstream.core.StreamException#NO_STATUS}
   */
  record WireError(String message, @Nullable String type, @Nullable String code, int status) {}
}
