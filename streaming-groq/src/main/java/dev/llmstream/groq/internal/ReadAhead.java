package dev.llmstream.groq.internal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * The body subscription of one HTTP exchange, read one buffer ahead of demand: a buffer is requested
 * whenever none is in hand, so the HTTP client reads while the previous one is decoded, and nothing more is
 * read while nobody pulls. The body's end that arrives behind an undecoded buffer waits for it. Owned by
 * {@link GroqStreamSource}'s loop; not thread-safe.
 */
final class ReadAhead {
  private Flow.@Nullable Subscription body;
  private boolean requested;
  /** One body buffer read ahead of demand (at most one). */
  private @Nullable List<ByteBuffer> ahead;
  /** The body's end (Complete or Failed) that arrived while {@link #ahead} was still undecoded. */
  private @Nullable Object endBehind;

  void subscribed(Flow.Subscription s) {
    body = s;
  }

  /** Requests the next buffer unless one is in hand or requested already. */
  void readAhead() {
    Flow.Subscription s = body;
    if (s != null && ahead == null && !requested) {
      requested = true;
      s.request(1);
    }
  }

  /** Requests the next buffer of an error body (collected whole, not read ahead). */
  void readNext() {
    Flow.Subscription s = body;
    if (s != null) {
      requested = true;
      s.request(1);
    }
  }

  /** A buffer arrived. */
  void received() {
    requested = false;
  }

  void hold(List<ByteBuffer> buffers) {
    ahead = buffers;
  }

  boolean holding() {
    return ahead != null;
  }

  @Nullable List<ByteBuffer> take() {
    List<ByteBuffer> a = ahead;
    ahead = null;
    return a;
  }

  void holdEnd(Object end) {
    endBehind = end;
  }

  @Nullable Object takeEnd() {
    Object e = endBehind;
    endBehind = null;
    return e;
  }

  /** Whether the exchange waits for the network (no subscription yet, or a buffer requested). */
  boolean awaitingNetwork() {
    return body == null || requested;
  }

  /** The body ended or failed: nothing to cancel any more. */
  void ended() {
    body = null;
  }

  /**
   * The answer is complete: the rest of the body (if still open) is read and dropped, not cancelled, so the
   * HTTP client can keep the connection ({@link HttpExchange#drain}); what was read ahead is forgotten.
   * Its buffers still arrive as signals of this exchange, which the loop ignores once the answer is done.
   */
  void drain() {
    Flow.Subscription s = body;
    forget();
    if (s != null) {
      s.request(Long.MAX_VALUE);
    }
  }

  /** Cancels the body (if still open) and forgets what was read ahead. */
  void release() {
    Flow.Subscription s = body;
    forget();
    if (s != null) {
      s.cancel();
    }
  }

  private void forget() {
    body = null;
    requested = false;
    ahead = null;
    endBehind = null;
  }
}
