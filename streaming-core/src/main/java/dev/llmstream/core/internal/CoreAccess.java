package dev.llmstream.core.internal;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.StreamException;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Lets the stream runtime (in this package) reach what the API types keep private: attaching the partial
 * answer to a {@link StreamException} when it is signalled. The API class registers its private method
 * here once, from its static initializer (the JDK's "shared secrets" pattern), so the method needs no
 * public or package-wide visibility in the API package. The one static field is written once, before any
 * {@code StreamException} instance exists, and never changes after; it holds no stream state.
 */
public final class CoreAccess {
  private static volatile BiConsumer<StreamException, ChatResponse> partialAttacher = (e, r) -> {};

  private CoreAccess() {
    throw new AssertionError("no instances");
  }

  /**
   * Called once by {@link StreamException}'s static initializer.
   *
   * @param attacher the private method that sets the partial answer (first value wins)
   */
  public static void registerPartialAttacher(BiConsumer<StreamException, ChatResponse> attacher) {
    partialAttacher = Objects.requireNonNull(attacher, "attacher");
  }

  /**
   * Attaches what the stream had delivered to an exception about to be signalled; the first value wins.
   * An instance exists, so its class (and with it the registration) is initialized.
   *
   * @param error the exception
   * @param partial the partial answer
   */
  public static void attachPartial(StreamException error, ChatResponse partial) {
    partialAttacher.accept(error, partial);
  }
}
