package dev.llmstream.groq;

import dev.llmstream.core.RecoveryPolicy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.TokenStream;
import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Leak and soak: 10,000 streams cancelled at random points (at subscription before the headers, on the
 * headers before the first token, mid-stream after a random number of tokens, through the subscription
 * instead of the token, after completion) and 10,000 that fail in random ways (HTTP 400/401/413/429/500/
 * 503, cut connections, malformed JSON, error events, garbage, over-long lines, stalls hitting the first-
 * token and idle timeouts), 128 at a time, through one provider with its default HTTP client. Afterwards,
 * counted rather than timed: every response ended on the server, the server's open TCP connections are at
 * most the client's idle pool (one per concurrent stream, never one per stream), live threads are back
 * within 4 of the baseline taken after a warm-up and at most 4 threads started during the run are still
 * alive (the HTTP client runs on a fixed 4-thread executor, so any thread the library started would show), used heap after GC within 32 MiB of it, and every sampled
 * TokenStream (one in 50) is garbage-collectable. No library warning or error is logged (all loggers
 * captured at TRACE). Sizes: {@code -Dllmstream.leak.streams=N} (per half).
 */
class LeakSoakTest {
  private static final int WINDOW = 128;
  private static final Duration WAIT = Duration.ofSeconds(60);

  enum Cancel { AT_SUBSCRIBE, ON_HEADERS, MID_STREAM, SUBSCRIPTION, AFTER_COMPLETION }

  enum Failure { HTTP_400, HTTP_401, HTTP_413, HTTP_429, HTTP_500, HTTP_503, CUT, MALFORMED, ERROR_EVENT, GARBAGE,
    LONG_LINE, STALL_FIRST_TOKEN, STALL_IDLE }

  static String text(Random r) {
    StringBuilder b = new StringBuilder();
    int n = 10 + r.nextInt(40);
    for (int i = 0; i < n; i++) {
      b.append(" w").append(i);
    }
    return b.toString();
  }

  /** The server's answer for a prompt {@code kind:NAME:SEED}. */
  static ResponseScript script(RecordedRequest req) {
    String[] p = req.lastUserMessage().split(":");
    Random r = new Random(Long.parseLong(p[2]));
    ResponseScript.Builder b = ResponseScript.builder().text(text(r));
    if (p[0].equals("cancel")) {
      return switch (Cancel.valueOf(p[1])) {
        case AT_SUBSCRIBE -> b.slowHeaders(Duration.ofMillis(5)).build();
        case ON_HEADERS -> b.timeToFirstToken(Duration.ofMillis(20)).build();
        case MID_STREAM, SUBSCRIPTION -> b.tokensPerSecond(2_000).build();
        case AFTER_COMPLETION -> b.build();
      };
    }
    int at = 2 + r.nextInt(8);
    return switch (Failure.valueOf(p[1])) {
      case HTTP_400 -> ResponseScript.httpError(400);
      case HTTP_401 -> ResponseScript.httpError(401);
      case HTTP_413 -> ResponseScript.httpError(413);
      case HTTP_429 -> ResponseScript.rateLimited(Duration.ofSeconds(1));
      case HTTP_500 -> ResponseScript.httpError(500);
      case HTTP_503 -> ResponseScript.httpError(503);
      case CUT -> b.disconnectAfter(at).build();
      case MALFORMED -> b.malformedAt(at).build();
      case ERROR_EVENT -> b.errorEventAt(at).build();
      case GARBAGE -> b.garbageAt(at, "data: \u0000\u00ff{{{ not json\n\n".getBytes(StandardCharsets.ISO_8859_1)).build();
      case LONG_LINE -> b.garbageAt(at, ("data: " + "x".repeat(5000) + "\n\n").getBytes(StandardCharsets.US_ASCII)).build();
      case STALL_FIRST_TOKEN -> b.stallAfter(1).build();
      case STALL_IDLE -> b.stallAfter(at).build();
    };
  }

  /** Counts protocol violations, cancels where told, and tells when the stream is over. */
  static final class Sub implements Flow.Subscriber<StreamEvent> {
    final CancellationToken token;
    final int cancelAfterTokens; // -1: never
    final boolean viaSubscription;
    final Runnable onOver;
    final ConcurrentLinkedQueue<String> problems;
    Flow.Subscription subscription;
    int tokens;
    volatile boolean terminated;
    volatile Throwable error;
    boolean over;

    Sub(CancellationToken token, int cancelAfterTokens, boolean viaSubscription, Runnable onOver,
        ConcurrentLinkedQueue<String> problems) {
      this.token = token;
      this.cancelAfterTokens = cancelAfterTokens;
      this.viaSubscription = viaSubscription;
      this.onOver = onOver;
      this.problems = problems;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(StreamEvent e) {
      if (terminated || over && viaSubscription) {
        problems.add("onNext after the end: " + e);
        return;
      }
      if (cancelAfterTokens == 0 && e instanceof StreamEvent.Waiting) {
        token.cancel();
      }
      if (e instanceof StreamEvent.TextDelta && ++tokens == cancelAfterTokens) {
        if (viaSubscription) {
          subscription.cancel();
          end();
        } else {
          token.cancel();
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      terminal(t);
    }

    @Override
    public void onComplete() {
      terminal(null);
    }

    private void terminal(Throwable t) {
      if (terminated) {
        problems.add("a second terminal signal");
      }
      if (over && viaSubscription) {
        problems.add("a terminal signal after Subscription.cancel()");
      }
      error = t;
      terminated = true;
      end();
    }

    private void end() {
      if (!over) {
        over = true;
        onOver.run();
      }
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /** Runs {@code n} streams of one kind, WINDOW at a time; returns the outcomes by kind. */
  private static Map<ErrorKind, Integer> run(GroqProvider provider, String kind, int n, long seed,
      ConcurrentLinkedQueue<String> problems, List<WeakReference<Object>> sampled) throws InterruptedException {
    Semaphore window = new Semaphore(WINDOW);
    Random r = new Random(seed);
    List<Sub> subs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      assertThat(window.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).as("a stream slot within " + WAIT).isTrue();
      CancellationToken token = CancellationToken.create();
      String prompt;
      int cancelAfter = -1;
      boolean viaSubscription = false;
      boolean afterCompletion = false;
      if (kind.equals("cancel")) {
        Cancel c = Cancel.values()[r.nextInt(Cancel.values().length)];
        prompt = "cancel:" + c + ":" + r.nextLong();
        switch (c) {
          case AT_SUBSCRIBE -> cancelAfter = -2;
          case ON_HEADERS -> cancelAfter = 0;
          case MID_STREAM -> cancelAfter = 1 + r.nextInt(12);
          case SUBSCRIPTION -> {
            cancelAfter = 1 + r.nextInt(12);
            viaSubscription = true;
          }
          case AFTER_COMPLETION -> afterCompletion = true;
        }
      } else {
        prompt = "fail:" + Failure.values()[r.nextInt(Failure.values().length)] + ":" + r.nextLong();
      }
      boolean cancelOnEnd = afterCompletion;
      Sub sub = new Sub(token, cancelAfter, viaSubscription, () -> {
        window.release();
      }, problems);
      TokenStream stream = provider.stream(ChatRequest.ofUser(prompt), token);
      if (i % 50 == 0) {
        sampled.add(new WeakReference<>(stream));
      }
      stream.subscribe(sub);
      if (cancelAfter == -2) {
        token.cancel();
      }
      if (cancelOnEnd) {
        subs.add(sub); // cancelled after completion below
      } else if (!viaSubscription) {
        subs.add(sub);
      }
    }
    assertThat(window.tryAcquire(WINDOW, WAIT.toSeconds(), TimeUnit.SECONDS)).as("all streams over within " + WAIT).isTrue();
    Map<ErrorKind, Integer> outcomes = new EnumMap<>(ErrorKind.class);
    int completed = 0;
    for (Sub s : subs) {
      s.token.cancel(); // after completion: a no-op that must not disturb anything
      if (s.error == null) {
        completed++;
      } else if (s.error instanceof StreamException se) {
        outcomes.merge(se.kind(), 1, Integer::sum);
      } else {
        problems.add("not a StreamException: " + s.error);
      }
    }
    System.out.println(kind + ": " + n + " streams, " + completed + " completed or cancelled with a Finish, errors " + outcomes);
    return outcomes;
  }

  @Test
  void cancelledAndFailingStreamsLeaveNothingBehind() throws Exception {
    int n = Integer.getInteger("llmstream.leak.streams", 10_000);
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    List<WeakReference<Object>> sampled = new ArrayList<>();
    // warm-up: the same workload, small, on its own server; then the baseline with no server running
    // one client for all providers, as a provider's own would be; a fixed executor, so that the JDK's
    // cached worker pool (sized by peak parallel work, idle threads kept 60 s) does not blur the count
    ExecutorService workers = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "leak-test-http");
      t.setDaemon(true);
      return t;
    });
    HttpClient client = HttpClient.newBuilder().executor(workers).build();
    try (FakeGroqServer warm = FakeGroqServer.builder().dispatcher(LeakSoakTest::script).build().start()) {
      run(builder(warm, client, false).build(), "cancel", 500, 1, problems, new ArrayList<>());
      run(builder(warm, client, true).build(), "fail", 500, 2, problems, new ArrayList<>());
    }
    CapturingLogs.start();
    long baseHeap = usedHeapAfterGc();
    int baseThreads = threads();
    // threads of earlier tests in this JVM may die during the run: count the threads born during it
    Set<Thread> before = Collections.newSetFromMap(new IdentityHashMap<>());
    before.addAll(Thread.getAllStackTraces().keySet());

    FakeGroqServer server = FakeGroqServer.builder().dispatcher(LeakSoakTest::script).build().start();
    Map<ErrorKind, Integer> cancelOutcomes =
        run(builder(server, client, false).build(), "cancel", n, 20_261_125L, problems, sampled);
    Map<ErrorKind, Integer> failOutcomes =
        run(builder(server, client, true).build(), "fail", n, 20_261_126L, problems, sampled);

    List<String> logs = CapturingLogs.stop();
    assertThat(problems).as("protocol violations and untyped errors").isEmpty();
    assertThat(logs).as("no library warning or error (an unexpected failure caught in a callback)")
        .noneMatch(l -> (l.startsWith("WARN") || l.startsWith("ERROR"))
            && (l.contains(" dev.llmstream.core.") || l.contains(" dev.llmstream.groq.")));
    assertThat(cancelOutcomes).as("cancelled streams end without errors").isEmpty();
    assertThat(failOutcomes.keySet()).doesNotContain(ErrorKind.UNKNOWN)
        .contains(ErrorKind.BAD_REQUEST, ErrorKind.AUTHENTICATION, ErrorKind.RATE_LIMITED, ErrorKind.SERVER,
            ErrorKind.CAPACITY, ErrorKind.CONNECTION, ErrorKind.PROTOCOL, ErrorKind.UPSTREAM,
            ErrorKind.LIMIT_EXCEEDED, ErrorKind.TIMEOUT);
    assertThat(failOutcomes.values().stream().mapToInt(Integer::intValue).sum()).as("every failing stream failed").isEqualTo(n);

    // the server's view: every response over, no connection per stream left open
    List<ConnectionRecord> records = server.connections();
    // a stream cancelled at subscription may never send its request; every failing one did
    assertThat(records.size()).isBetween(n, 2 * n);
    for (int i = 0; i < records.size(); i++) {
      server.awaitEnded(i, WAIT);
    }
    int open = server.openConnections();
    System.out.println("server: " + records.size() + " responses all ended; open TCP connections (idle pool): " + open);
    assertThat(open).as("open connections at most the idle pool").isLessThanOrEqualTo(WINDOW);
    server.close();
    server = null;

    int afterThreads = threads();
    Map<String, Integer> born = new java.util.TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(t)) {
        born.merge(t.getName().replaceAll("\\d+", "N"), 1, Integer::sum);
      }
    }
    int bornCount = born.values().stream().mapToInt(Integer::intValue).sum();
    System.out.println("threads born during the run and still alive: " + born);
    long afterHeap = usedHeapAfterGc();
    long cleared = sampled.stream().filter(w -> w.get() == null).count();
    System.out.printf("threads %d -> %d (%d born and alive); used heap %.1f MiB -> %.1f MiB; sampled streams"
            + " collected %d/%d%n",
        baseThreads, afterThreads, bornCount, baseHeap / 1048576.0, afterHeap / 1048576.0, cleared, sampled.size());
    assertThat(afterThreads).as("live threads vs baseline " + baseThreads).isLessThanOrEqualTo(baseThreads + 4);
    assertThat(bornCount).as("threads started during the run and still alive: " + born).isLessThanOrEqualTo(4);
    workers.shutdown();
    assertThat(afterHeap - baseHeap).as("retained heap growth").isLessThan(32L * 1024 * 1024);
    assertThat(cleared).as("sampled TokenStreams collectable").isEqualTo(sampled.size());
  }

  /** Failing streams get short timeouts (the stalls end by them); cancelled ones the defaults. */
  private static GroqProvider.Builder builder(FakeGroqServer server, HttpClient client, boolean failing) {
    GroqProvider.Builder b = GroqProvider.builder()
        .apiKey("gsk_leak_test")
        .recovery(RecoveryPolicy.disabled()) // each failing stream fails once: one request per stream
        .baseUrl(server.baseUrl())
        .httpClient(client)
        .defaultModel("m")
        .maxRetries(0)
        .maxLineLength(4096);
    return failing ? b.firstTokenTimeout(Duration.ofMillis(500)).idleTimeout(Duration.ofMillis(300)) : b;
  }
}
