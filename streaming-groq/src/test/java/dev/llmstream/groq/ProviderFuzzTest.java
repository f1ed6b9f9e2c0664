package dev.llmstream.groq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.RecoveryPolicy;
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

  /** One case in eight is sent gzip-compressed (the same transcript; the client inflates it as it streams). */
  static boolean gzipped(long seed) {
    return new Random(seed ^ 0xC0FFEEL).nextInt(8) == 0;
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
    boolean gzip = gzipped(seed);
    if (gzip) {
      java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream o = new java.util.zip.GZIPOutputStream(z)) {
        o.write(bytes);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      bytes = z.toByteArray();
    }
    int stopAt = ending == Ending.NORMAL ? bytes.length : r.nextInt(bytes.length + 1);
    List<byte[]> writes = new ArrayList<>();
    int from = 0;
    while (from < stopAt) {
      int n = Math.min(stopAt - from, 1 + r.nextInt(r.nextBoolean() ? 16 : 2048));
      writes.add(Arrays.copyOfRange(bytes, from, from + n));
      from += n;
    }
    ResponseScript.Builder script = ResponseScript.builder().rawBody(writes);
    if (gzip) {
      script.header("Content-Encoding", "gzip");
    }
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
        String where = "seed " + seed + " (" + FuzzTranscripts.generate(seed).recipe() + (gzipped(seed) ? " gzip" : "")
            + ", " + ending
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
          assertThat(error == null ? null : ((StreamException) error).kind() + ": " + error.getMessage())
              .as(where + ": error as the pure parser's").isEqualTo(pure.error());
        } else {
          List<StreamEvent> delivered = events;
          if (error == null && !events.equals(pure.events())) {
            // cut after the finish reason, before the trailing usage: completed with the same finish
            // reason (the usage the cut kept from arriving is missing from it)
            StreamEvent.Finish got = (StreamEvent.Finish) events.get(events.size() - 1);
            StreamEvent.Finish want = (StreamEvent.Finish) pure.events().get(pure.events().size() - 1);
            assertThat(new StreamEvent.Finish(got.reason(), got.rawReason()))
                .as(where).isEqualTo(new StreamEvent.Finish(want.reason(), want.rawReason()));
            delivered = events.subList(0, events.size() - 1);
          }
          assertThat(delivered.size()).as(where + ": a cut stream delivers a prefix").isLessThanOrEqualTo(pure.events().size());
          assertThat(pure.events().subList(0, delivered.size())).as(where + ": a cut stream delivers a prefix").isEqualTo(delivered);
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

  // ------------------------------------------------------------------ restarted continuations

  /** A case of the restart fuzz: an answer of unique words, cut, then continued, restarted or diverged. */
  record RestartCase(long seed, String reference, int cut, int kind, String diverged) {
    static RestartCase of(long seed) {
      Random r = new Random(seed);
      StringBuilder sb = new StringBuilder();
      int words = 4 + r.nextInt(40);
      for (int i = 0; i < words; i++) {
        sb.append(i == 0 ? "" : r.nextInt(5) == 0 ? ",\n" : " ").append("w").append(i).append('_').append(r.nextInt(1000));
      }
      String ref = sb.toString();
      int d = r.nextInt(ref.length());
      return new RestartCase(seed, ref, 2 + r.nextInt(words), r.nextInt(3), ref.substring(0, d) + " then something else");
    }

    /** The second and later responses: a real continuation, the whole answer again, or a diverging restart. */
    ResponseScript next(RecordedRequest request) {
      return switch (kind) {
        case 0 -> ResponseScript.continuing(reference, request);
        case 1 -> ResponseScript.text(reference); // ignores the prefill
        default -> ResponseScript.text(diverged); // ignores the prefill and answers differently
      };
    }

    /** What the user must end up seeing, given the text shown before the cut. */
    String expected(String shown) {
      if (kind != 2) {
        return reference;
      }
      int same = 0;
      while (same < Math.min(shown.length(), diverged.length()) && shown.charAt(same) == diverged.charAt(same)) {
        same++;
      }
      if (same >= shown.length()) {
        return diverged; // it went past what was shown: just more text
      }
      // a restart is recognised by its first 16 characters (all of a shorter text), then replaced on divergence
      return same >= Math.min(16, shown.length()) ? diverged : shown + diverged;
    }
  }

  @Test
  void restartedContinuationsNeverShowTextTwice() throws Exception {
    int cases = Integer.getInteger("llmstream.fuzz.restartCases", 300);
    long base = Long.getLong("llmstream.fuzz.seed", 20_261_125L) + 9_000_000L;
    Map<String, Integer> outcomes = new TreeMap<>();
    try (FakeGroqServer server = FakeGroqServer.builder().dispatcher(request -> {
          Matcher m = Pattern.compile("restart:(-?\\d+)").matcher(request.lastUserMessage());
          RestartCase c = RestartCase.of(m.find() ? Long.parseLong(m.group(1)) : 0);
          return request.assistantPrefill().isEmpty()
              ? ResponseScript.builder().text(c.reference()).disconnectAfter(c.cut()).build()
              : c.next(request);
        }).build().start();
        GroqProvider p = GroqProvider.builder().baseUrl(server.baseUrl()).defaultModel("m")
            .recovery(RecoveryPolicy.defaults().withBackoff(Duration.ZERO, Duration.ZERO)).build()) {
      for (int i = 0; i < cases; i++) {
        long seed = base + i;
        RestartCase c = RestartCase.of(seed);
        int before = server.requests().size();
        TestSubscriber<StreamEvent> sub = TestSubscriber.create();
        p.stream(ChatRequest.ofUser("restart:" + seed)).subscribe(sub);
        sub.awaitTerminal(WAIT);
        String where = "restart seed " + seed + " (kind " + c.kind() + ", cut " + c.cut() + ")";
        assertThat(sub.violations()).as(where).isEmpty();
        assertThat(sub.error()).as(where).isNull();
        List<RecordedRequest> mine = server.requests().subList(before, server.requests().size());
        String shown = mine.size() > 1 ? mine.get(1).assistantPrefill() : c.reference();
        StringBuilder seen = new StringBuilder();
        for (StreamEvent e : sub.values()) {
          if (e instanceof StreamEvent.TextDelta t) {
            seen.append(t.text());
          } else if (e instanceof StreamEvent.Replaced rp) {
            seen.setLength(0);
            seen.append(rp.text());
          }
        }
        String expected = mine.size() > 1 ? c.expected(shown) : c.reference();
        assertThat(seen.toString()).as(where + ": what the user saw").isEqualTo(expected);
        outcomes.merge(mine.size() > 1 ? "kind " + c.kind() : "not cut", 1, Integer::sum);
      }
    }
    System.out.println("restart fuzz: " + cases + " cases: " + outcomes);
    assertThat(outcomes).containsKeys("kind 0", "kind 1", "kind 2");
  }
}
