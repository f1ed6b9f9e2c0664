package dev.llmstream.testkit.coretests;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamListener;
import dev.llmstream.core.StreamTrace;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.internal.InstrumentedSource;
import dev.llmstream.core.internal.StreamTraceImpl;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.Test;

/**
 * The official Reactive Streams TCK against {@link TokenStream}, fed by the in-memory scripted sources
 * the core ships ({@link TokenStream#of}, {@link TokenStream#failing}) and by an asynchronous source that
 * answers each pull on another thread, like the HTTP provider does.
 *
 * <p>Rules the TCK reports as skipped, and why:
 * <ul>
 *   <li>{@code optional_spec111_*} (5 rules): multicast is optional; a TokenStream is single-use by
 *       design (one answer, one consumer) and rejects a second subscriber with {@code onError}, which
 *       {@code TokenStreamTest#secondSubscriberGetsAClearError} checks.
 *   <li>{@code untested_spec106/107/108/109/110/304/305} (7 rules): the TCK has no test for them
 *       ("untested"); 106-108 are covered by {@code TokenStreamTest}'s races.
 * </ul>
 */
public final class TokenStreamTckTest {

  /** TokenStream.of / failing, signals on the caller's thread. */
  @Test
  public static final class InMemory extends FlowPublisherVerification<StreamEvent> {
    public InMemory() {
      super(new TestEnvironment(300));
    }

    @Override
    public Flow.Publisher<StreamEvent> createFlowPublisher(long elements) {
      if (elements < 1_000) {
        StreamEvent[] events = new StreamEvent[(int) elements];
        for (int i = 0; i < elements; i++) {
          events[i] = new StreamEvent.TextDelta("t" + i);
        }
        return TokenStream.of(List.of(events));
      }
      return TokenStream.create(new GeneratingSource(elements, 1, Runnable::run), CancellationToken.create());
    }

    @Override
    public Flow.Publisher<StreamEvent> createFailedFlowPublisher() {
      return TokenStream.failing(
          List.of(), new StreamException(ErrorKind.PROTOCOL, "scripted failure", StreamException.NO_STATUS, null, null));
    }
  }

  /** A source that answers pulls asynchronously on a pool, several events per pull. */
  @Test
  public static final class Async extends FlowPublisherVerification<StreamEvent> {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    public Async() {
      super(new TestEnvironment(500));
    }

    @AfterClass
    public void shutdown() {
      pool.shutdownNow();
    }

    @Override
    public Flow.Publisher<StreamEvent> createFlowPublisher(long elements) {
      return TokenStream.create(
          new GeneratingSource(elements, 3, pool), CancellationToken.create());
    }

    @Override
    public Flow.Publisher<StreamEvent> createFailedFlowPublisher() {
      return TokenStream.failing(
          List.of(), new StreamException(ErrorKind.PROTOCOL, "scripted failure", StreamException.NO_STATUS, null, null));
    }
  }

  /**
   * The async source wrapped in the provider instrumentation with a listener attached, as a provider with
   * {@code listener(..)} builds it: the wrapper must not break any rule.
   */
  @Test
  public static final class Instrumented extends FlowPublisherVerification<StreamEvent> {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final StreamListener listener = new StreamListener() {
      @Override
      public void onChunk(StreamTrace trace, long sincePreviousNanos) {
        trace.chunks();
      }
    };

    public Instrumented() {
      super(new TestEnvironment(500));
    }

    @AfterClass
    public void shutdown() {
      pool.shutdownNow();
    }

    private Flow.Publisher<StreamEvent> instrumented(dev.llmstream.core.spi.StreamSource source) {
      CancellationToken token = CancellationToken.create();
      StreamTraceImpl trace = new StreamTraceImpl("test", "m", null, -1, System::nanoTime);
      return TokenStream.create(new InstrumentedSource(source, listener, trace, token), token);
    }

    @Override
    public Flow.Publisher<StreamEvent> createFlowPublisher(long elements) {
      return instrumented(new GeneratingSource(elements, 3, pool));
    }

    @Override
    public Flow.Publisher<StreamEvent> createFailedFlowPublisher() {
      return instrumented(new dev.llmstream.core.spi.StreamSource() {
        @Override
        public void start(dev.llmstream.core.spi.StreamEmitter emitter) {
          emitter.fail(new StreamException(ErrorKind.PROTOCOL, "scripted failure", StreamException.NO_STATUS, null, null));
        }

        @Override
        public void pull() {}

        @Override
        public void cancel() {}
      });
    }
  }
}
