package dev.llmstream.core;

import dev.llmstream.core.internal.StreamBufferImpl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.reactivestreams.tck.flow.IdentityFlowProcessorVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.Test;

/**
 * The official Reactive Streams TCK against {@link StreamBuffer}: as a publisher over a
 * {@link TokenStream} (with the real system scheduler and its 50 ms window, so the timers run for real)
 * and as an identity processor.
 *
 * <p>The publisher tests feed alternating text, reasoning and tool-call events: each kind change flushes,
 * so {@code n} events in give exactly {@code n} events out, as the TCK counts them. Coalescing itself is
 * proven in {@code StreamBufferTest}.
 *
 * <p>Skipped rules: {@code optional_spec111_*} and the processor's multi-subscriber rules, because a
 * buffer serves one subscriber (a second one gets {@code onError}, see
 * {@code StreamBufferTest#aSecondSubscriberIsRejected}); {@code untested_*} rules have no TCK test.
 */
public final class StreamBufferTckTest {

  static StreamEvent element(long i) {
    switch ((int) (i % 3)) {
      case 0:
        return new StreamEvent.TextDelta("t" + i);
      case 1:
        return new StreamEvent.ReasoningDelta("r" + i);
      default:
        return new StreamEvent.ToolCallDelta((int) (i % 1000), null, null, "a" + i);
    }
  }

  /** buffer(TokenStream.of(...)) on the system scheduler. */
  @Test
  public static final class OverTokenStream extends FlowPublisherVerification<StreamEvent> {
    public OverTokenStream() {
      super(new TestEnvironment(300));
    }

    @Override
    public Flow.Publisher<StreamEvent> createFlowPublisher(long elements) {
      TokenStream upstream;
      if (elements < 1_000) {
        List<StreamEvent> events = new ArrayList<>();
        for (int i = 0; i < elements; i++) {
          events.add(element(i));
        }
        upstream = TokenStream.of(events);
      } else {
        upstream = TokenStream.create(new MixedSource(elements), CancellationToken.create());
      }
      return UiConnection.buffer(upstream, UiConfig.defaults());
    }

    @Override
    public Flow.Publisher<StreamEvent> createFailedFlowPublisher() {
      return UiConnection.buffer(
          TokenStream.failing(
              List.of(), new StreamException(ErrorKind.PROTOCOL, "scripted failure", StreamException.NO_STATUS, null, null)),
          UiConfig.defaults());
    }
  }

  /** The buffer as a processor between the TCK's publisher and subscriber. */
  @Test
  public static final class AsProcessor extends IdentityFlowProcessorVerification<StreamEvent> {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    public AsProcessor() {
      super(new TestEnvironment(300));
    }

    @AfterClass
    public void shutdown() {
      pool.shutdownNow();
    }

    @Override
    public Flow.Processor<StreamEvent, StreamEvent> createIdentityFlowProcessor(int bufferSize) {
      return new StreamBufferImpl(UiConfig.defaults().withWindow(Duration.ofMillis(10)));
    }

    @Override
    public Flow.Publisher<StreamEvent> createFailedFlowPublisher() {
      StreamBufferImpl buffer = new StreamBufferImpl(UiConfig.defaults());
      buffer.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
      buffer.onError(new StreamException(ErrorKind.PROTOCOL, "scripted failure", StreamException.NO_STATUS, null, null));
      return buffer;
    }

    @Override
    public ExecutorService publisherExecutorService() {
      return pool;
    }

    @Override
    public StreamEvent createElement(int element) {
      return element(element);
    }

    @Override
    public long maxSupportedSubscribers() {
      return 1;
    }
  }

  /** Emits {@link #element(long)}s lazily, one per pull. */
  private static final class MixedSource implements dev.llmstream.core.spi.StreamSource {
    private final long count;
    private long next;
    private dev.llmstream.core.spi.StreamEmitter emitter;

    MixedSource(long count) {
      this.count = count;
    }

    @Override
    public void start(dev.llmstream.core.spi.StreamEmitter emitter) {
      this.emitter = emitter;
    }

    @Override
    public void pull() {
      if (next < count) {
        emitter.next(element(next++));
      }
      emitter.pullDone();
      if (next == count) {
        emitter.complete();
      }
    }

    @Override
    public void cancel() {}
  }
}
