package dev.llmstream.groq;


import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.TokenStream;
import dev.llmstream.testkit.FakeGroqServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.Test;

/**
 * The official Reactive Streams TCK against the provider's {@link TokenStream} over a loopback server
 * that streams N chunks (N read from the request's model name; "infinite" streams until the client
 * closes). Waiting events are disabled so that N elements are exactly N-1 text chunks plus the Finish.
 *
 * <p>A provider stream always ends with a Finish event, so it cannot be empty: a request for 0 elements
 * gets a 1-element stream (Finish only). The rules that ask for 0 elements ({@code required_spec109_*},
 * {@code optional_spec105_emptyStream...}) pass with it. Skipped rules: {@code optional_spec111_*}
 * (multicast: a TokenStream is single-use by design), {@code untested_*} (the TCK has no test) and
 * {@code required_spec317_mustNotSignalOnErrorWhenPendingAboveLongMaxValue} (only run for publishers
 * declaring {@code Long.MAX_VALUE} elements).
 */
@Test
public class GroqTokenStreamTckTest extends FlowPublisherVerification<StreamEvent> {
  private final FakeGroqServer server;
  private final GroqProvider provider;

  public GroqTokenStreamTckTest() throws IOException {
    super(new TestEnvironment(5_000, 300));
    // exactly n events for model "n-<n>": n - 1 text chunks and a finish (no role, no usage chunk)
    server = FakeGroqServer.builder().dispatcher(request -> {
      long n = Long.parseLong(request.model().substring("n-".length()));
      List<byte[]> writes = new ArrayList<>();
      for (long i = 0; i < n - 1; i++) {
        writes.add(Wire.utf8(Wire.textChunk("t" + i)));
      }
      writes.add(Wire.utf8(Wire.finishChunk("stop") + "data: [DONE]\n\n"));
      return Wire.writes(writes);
    }).build().start();
    provider = GroqProvider.builder().baseUrl(server.baseUrl()).emitWaiting(false).build();
  }

  /** Warm-up (class loading, the HTTP client's threads) so the first rule does not pay for a cold JVM. */
  @org.testng.annotations.BeforeClass
  public void warmUp() throws Exception {
    ((TokenStream) createFlowPublisher(3)).collect().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @AfterClass
  public void shutdown() throws IOException {
    provider.close();
    server.close();
  }

  @Override
  public Flow.Publisher<StreamEvent> createFlowPublisher(long elements) {
    long n = Math.max(elements, 1);
    return provider.stream(ChatRequest.ofUser("x").withModel("n-" + n));
  }

  @Override
  public Flow.Publisher<StreamEvent> createFailedFlowPublisher() {
    return TokenStream.failing(
        List.of(), new StreamException(ErrorKind.PROTOCOL, "scripted failure", StreamException.NO_STATUS, null, null));
  }

  @Override
  public long maxElementsFromPublisher() {
    return 1_000_000_000L; // the server streams lazily; long streams are cancelled by the tests
  }
}
