package dev.llmstream.testkit.coretests;

import dev.llmstream.core.UiConnection;
import dev.llmstream.core.internal.TokenStreamImpl;
import dev.llmstream.core.internal.UiConnectionImpl;

/**
 * Two measurements of streaming-core's internals for the tests that moved here from core's own tests
 * (they need the testkit's clock and subscriber, and core's tests cannot depend on the testkit). Plain
 * calls: these tests run on the class path, where {@code core.internal} is visible.
 */
final class CoreInternals {
  private CoreInternals() {}

  /** {@link TokenStreamImpl#MAX_QUEUED}: how many events a stream queues before it fails. */
  static int maxQueued() {
    return TokenStreamImpl.MAX_QUEUED;
  }

  /** {@link UiConnectionImpl#bufferCharsCopied()} of a connection made by {@code UiConnection.connect}. */
  static long bufferCharsCopied(UiConnection connection) {
    return ((UiConnectionImpl) connection).bufferCharsCopied();
  }
}
