package dev.llmstream.testkit;

import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.TokenStream;
import java.time.Duration;
import java.util.Objects;

/**
 * Entry points for the token-stream assertions, in AssertJ style:
 *
 * <pre>{@code
 * import static dev.llmstream.testkit.StreamAssertions.assertThat;
 *
 * TestSubscriber<StreamEvent> sub = TestSubscriber.create();
 * stream.subscribe(sub);
 * sub.awaitTerminal(Duration.ofSeconds(5));
 * assertThat(sub).completed().hasText("Hello, world").noSignalAfterTerminal();
 *
 * assertThat(failingStream)                 // subscribes and waits up to 10 s
 *     .failedWith(RateLimitException.class)
 *     .hasPartialText("Hel");
 * }</pre>
 *
 * <p>Stateless; thread-safe.
 */
public final class StreamAssertions {
  /** The wait used by {@link #assertThat(TokenStream)}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private StreamAssertions() {
    throw new AssertionError("no instances");
  }

  /**
   * Assertions on what a {@link TestSubscriber} recorded. They check the recording as it is now; call
   * {@link TestSubscriber#awaitTerminal(Duration)} first to assert on a finished stream.
   *
   * @param subscriber the subscriber
   * @return the assertion
   */
  public static TokenStreamAssert assertThat(TestSubscriber<? extends StreamEvent> subscriber) {
    return new TokenStreamAssert(Objects.requireNonNull(subscriber, "subscriber"));
  }

  /**
   * Subscribes to {@code stream} with unbounded demand, waits up to {@link #DEFAULT_TIMEOUT} for its
   * terminal signal, and returns assertions on what it delivered.
   *
   * @param stream the stream (single-use: it is consumed)
   * @return the assertion
   * @throws AssertionError if the stream does not end in time
   */
  public static TokenStreamAssert assertThat(TokenStream stream) {
    Objects.requireNonNull(stream, "stream");
    TestSubscriber<StreamEvent> sub = TestSubscriber.create();
    stream.subscribe(sub);
    sub.awaitTerminal(DEFAULT_TIMEOUT);
    return new TokenStreamAssert(sub);
  }
}
