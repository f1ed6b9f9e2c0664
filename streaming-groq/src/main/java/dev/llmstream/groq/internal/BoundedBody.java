package dev.llmstream.groq.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The first bytes of a response body that is read whole (an HTTP error's body, a server's non-streamed
 * JSON answer), up to a cap; the rest is never read. Not thread-safe: owned by one exchange.
 */
final class BoundedBody {
  private final int cap;
  private byte[] bytes = new byte[0];
  private int length;

  BoundedBody(int cap) {
    this.cap = cap;
  }

  /**
   * Appends what fits of {@code buffers}.
   *
   * @return {@code true} when the cap is reached (read no more)
   */
  boolean append(List<ByteBuffer> buffers) {
    for (ByteBuffer b : buffers) {
      int n = Math.min(b.remaining(), cap - length);
      if (n > 0) {
        if (length + n > bytes.length) {
          bytes = Arrays.copyOf(bytes, Math.max(length + n, Math.min(cap, bytes.length * 2 + 1024)));
        }
        b.get(bytes, length, n);
        length += n;
      }
    }
    return length >= cap;
  }

  byte[] bytes() {
    return bytes;
  }

  int length() {
    return length;
  }
}
