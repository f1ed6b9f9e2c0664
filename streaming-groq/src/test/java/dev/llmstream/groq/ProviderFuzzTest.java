package dev.llmstream.groq;

import dev.llmstream.core.RecoveryPolicy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of the whole provider over a loopback HTTP server: each case serves a generated transcript
 * ({@link FuzzTranscripts}) cut into random HTTP chunks, ending normally (85 %), by an abrupt close
 * (14 %) or by stalling with the connection open (1 %), to a subscriber with unbounded or one-at-a-time
 * demand. 1,000 cases per run ({@code -Dllmstream.fuzz.httpCases=N}). For every case: the stream ends
 * within a bounded wait, the subscriber sees no protocol violation (demand, serial signals, nothing after
 * the terminal signal), an error is a typed {@link StreamException} of an expected kind (never
 * {@link ErrorKind#UNKNOWN}, which would mean an exception escaped a callback, and no library warning or
 * error is logged, all loggers captured at TRACE), and when the body ended
 * normally the provider's events and error equal the pure parser's (differential check).
 */
class ProviderFuzzTest {
  private static final Pattern SEED = Pattern.compile("seed:(-?\\d+)");
  private static final Duration WAIT = Duration.ofSeconds(20);

  enum Ending { NORMAL, ABRUPT, STALL }

  static Ending ending(long seed) {
    int p = new Random(seed ^ 0x5DEECE66DL).nextInt(100);
    return p < 1 ? Ending.STALL : p < 15 ? Ending.ABRUPT : Ending.NORMAL;
  }

  /** The case for the seed named in the request, in random HTTP chunks, ended as {@link #ending} says. */
  static ResponseScript serve(RecordedRequest request) {
    Matcher m = SEED.matcher(request.body());
    if (!m.find()) {
      throw new IllegalStateException("no seed in request");
    }
    long seed = Long.parseLong(m.group(1));
    byte[] bytes = FuzzTranscripts.generate(seed).bytes();
    Ending ending = ending(seed);
    Random r = new Random(seed * 17 + 3);
    int stopAt = ending == Ending.NORMAL ? bytes.length : r.nextInt(bytes.length + 1);
    List<byte[]> writes = new ArrayList<>();
    int from = 0;
    while (from < stopAt) {
      int n = Math.min(stopAt - from, 1 + r.nextInt(r.nextBoolean() ? 16 : 2048));
      writes.add(Arrays.copyOfRange(bytes, from, from + n));
      from += n;
    }
    ResponseScript.Builder script = ResponseScript.builder().rawBody(writes);
    return switch (ending) {
      case NORMAL -> script.build();                                    // the body ends
      case ABRUPT -> script.disconnectAfter(writes.size()).build();      // the connection is cut
      case STALL -> script.stallAfter(writes.size()).build();            // silence until the client closes
    };
  }

  /** Requests one event at a time, from inside onNext. */
  static final class Stepper implements Flow.Subscriber<StreamEvent> {
    final TestSubscriber<StreamEvent> inner = TestSubscriber.withInitialRequest(1);

    @Override
    public void onSubscribe(Flow.Subscription s) {
      inner.onSubscribe(s);
    }

    @Override
    public void onNext(StreamEvent item) {
      inner.onNext(item);
      inner.request(1);
    }

    @Override
    public void onError(Throwable t) {
      inner.onError(t);
    }

    @Override
    public void onComplete() {
      inner.onComplete();
    }
  }

  private static GroqProvider.Builder limited(String baseUrl) {
    return GroqProvider.builder()
        .recovery(RecoveryPolicy.disabled()) // the differential check compares one attempt with the parser
        .baseUrl(baseUrl)
        .defaultModel("m")
        .maxRetries(0)
        .maxLineLength(FuzzTranscripts.MAX_LINE)
        .maxEventBytes(FuzzTranscripts.MAX_EVENT)
        .maxAnswerChars(FuzzTranscripts.MAX_ANSWER)
        .maxToolArgumentChars(FuzzTranscripts.MAX_TOOL);
  }

  @Test
  void mutatedTranscriptsOverHttp() throws Exception {
    int cases = Integer.getInteger("llmstream.fuzz.httpCases", 1_000);
    long base = Long.getLong("llmstream.fuzz.seed", 20_261_125L) + 7_000_000L;
    Set<ErrorKind> kinds = EnumSet.copyOf(ParserFuzzTest.EXPECTED_KINDS);
    kinds.add(ErrorKind.TIMEOUT);
    Map<String, Integer> outcomes = new TreeMap<>();
    CapturingLogs.start();
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(ProviderFuzzTest::serve).build().start();
        GroqProvider normal = limited(server.baseUrl()).build();
        // a stalled server is only noticed by the timers: short ones for those cases alone
        GroqProvider impatient =
            limited(server.baseUrl()).firstTokenTimeout(Duration.ofMillis(300)).idleTimeout(Duration.ofMillis(200)).build()) {
      for (int i = 0; i < cases; i++) {
        long seed = base + i;
        Ending ending = ending(seed);
        boolean stepping = (seed & 1) == 0;
        TestSubscriber<StreamEvent> sub;
        GroqProvider p = ending == Ending.STALL ? impatient : normal;
        String where = "seed " + seed + " (" + FuzzTranscripts.generate(seed).recipe() + ", " + ending
            + (stepping ? ", one at a time" : "") + ")";
        if (stepping) {
          Stepper st = new Stepper();
          p.stream(ChatRequest.ofUser("seed:" + seed)).subscribe(st);
          sub = st.inner;
        } else {
          sub = TestSubscriber.create();
          p.stream(ChatRequest.ofUser("seed:" + seed)).subscribe(sub);
        }
        sub.awaitTerminal(WAIT);
        assertThat(sub.violations()).as(where).isEmpty();
        List<StreamEvent> events = new ArrayList<>(sub.values());
        events.removeIf(e -> e instanceof StreamEvent.Waiting);
        Throwable error = sub.error();
        if (error != null) {
          assertThat(error).as(where).isInstanceOf(StreamException.class);
          assertThat(((StreamException) error).kind()).as(where + ": " + error).isIn(kinds);
        } else {
          assertThat(events.get(events.size() - 1)).as(where).isInstanceOf(StreamEvent.Finish.class);
        }
        ParserFuzzTest.Outcome pure = ParserFuzzTest.decode(FuzzTranscripts.generate(seed).bytes(), null);
        if (ending == Ending.NORMAL) {
          assertThat(events).as(where + ": events as the pure parser's").isEqualTo(pure.events());
          assertThat(error == null ? null : error.getClass().getSimpleName() + ": " + error.getMessage())
              .as(where + ": error as the pure parser's").isEqualTo(pure.error());
        } else {
          assertThat(events.size()).as(where + ": a cut stream delivers a prefix").isLessThanOrEqualTo(pure.events().size());
          assertThat(pure.events().subList(0, events.size())).as(where + ": a cut stream delivers a prefix").isEqualTo(events);
        }
        outcomes.merge(error == null ? "completed" : ((StreamException) error).kind().toString(), 1, Integer::sum);
      }
    }
    List<String> logs = CapturingLogs.stop();
    System.out.println("provider fuzz: " + cases + " cases over HTTP: " + outcomes + "; " + logs.size() + " log lines");
    assertThat(logs).as("no unexpected failure (a callback that threw) was caught and logged")
        .noneMatch(l -> (l.startsWith("WARN") || l.startsWith("ERROR")) && l.contains(" dev.llmstream."));
    assertThat(outcomes).containsKeys("completed", "PROTOCOL", "LIMIT_EXCEEDED", "CONNECTION", "UPSTREAM");
  }
}
