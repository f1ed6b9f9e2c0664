package dev.llmstream.groq.internal;

import dev.llmstream.core.spi.StreamEmitter;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The messages of {@link GroqStreamSource}'s serial loop: the core's calls (start, pull, cancel), the HTTP
 * client's (headers, body subscription, buffers, end), the timers' and the retry execution's. Signals of one
 * HTTP exchange carry its number, so the loop drops those of an abandoned exchange. Immutable.
 */
final class SourceSignals {
  private SourceSignals() {
    throw new AssertionError("no instances");
  }

  /** A signal of one HTTP exchange. */
  interface AttemptSignal {
    int attempt();
  }

  record Start(StreamEmitter emitter) {}

  enum Pull {
    INSTANCE
  }

  enum Cancel {
    INSTANCE
  }

  record HeadersArrived(int attempt, HttpResponse.ResponseInfo info) implements AttemptSignal {}

  record Subscribed(int attempt, Flow.Subscription subscription) implements AttemptSignal {}

  record Data(int attempt, List<ByteBuffer> buffers) implements AttemptSignal {}

  record Complete(int attempt) implements AttemptSignal {}

  record Failed(int attempt, Throwable error) implements AttemptSignal {}

  record Timer(int attempt) implements AttemptSignal {}

  /** The retry execution asks for an attempt; {@code done} is to be completed when it fails. */
  record AttemptDue(boolean retry, CompletableFuture<Object> done) {}

  /** The retry execution ended (with the last failure, or cancelled). */
  record RetriesOver(@Nullable Throwable error) {}

  /** Forwards one exchange's body signals into the loop. */
  static final class BodySubscriber implements HttpResponse.BodySubscriber<Void> {
    private final int attempt;
    private final Consumer<Object> post;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    BodySubscriber(int attempt, Consumer<Object> post) {
      this.attempt = attempt;
      this.post = post;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      post.accept(new Subscribed(attempt, subscription));
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      post.accept(new Data(attempt, item));
    }

    @Override
    public void onError(Throwable throwable) {
      done.completeExceptionally(throwable);
      post.accept(new Failed(attempt, throwable));
    }

    @Override
    public void onComplete() {
      done.complete(null);
      post.accept(new Complete(attempt));
    }

    @Override
    public CompletionStage<Void> getBody() {
      return done;
    }
  }
}
