package dev.llmstream.testkit.coretests;

import dev.llmstream.core.UiConnection;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Reads two package-private measurements of streaming-core for the tests that moved here from core's
 * own tests (they need the testkit's clock and subscriber, and core's tests cannot depend on the
 * testkit). Reflection on the class path, where the tests run; once these live in an {@code internal}
 * package they become plain calls (the build already lets these tests see {@code core.internal}).
 */
final class CoreInternals {
  private CoreInternals() {}

  /** {@code DefaultTokenStream.MAX_QUEUED}: how many events a stream queues before it fails. */
  static int maxQueued() {
    try {
      Field f = Class.forName("dev.llmstream.core.DefaultTokenStream").getDeclaredField("MAX_QUEUED");
      f.setAccessible(true);
      return f.getInt(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("DefaultTokenStream.MAX_QUEUED moved: update this test helper", e);
    }
  }

  /** {@code UiAdapter.bufferCharsCopied()} of a connection made by {@code UiStreams.connect}. */
  static long bufferCharsCopied(UiConnection connection) {
    try {
      Method m = connection.getClass().getDeclaredMethod("bufferCharsCopied");
      m.setAccessible(true);
      return ((Number) m.invoke(connection)).longValue();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("UiAdapter.bufferCharsCopied moved: update this test helper", e);
    }
  }
}
