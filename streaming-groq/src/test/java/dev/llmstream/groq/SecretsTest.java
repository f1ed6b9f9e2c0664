package dev.llmstream.groq;

import dev.llmstream.core.RecoveryPolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.TokenStream;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.testkit.TestSubscriber;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The API key never leaks: streams with a distinctive key run through success, 401, 429 with retries,
 * cancel, a malformed stream, an error event, an over-long line, first-token and idle timeouts and a
 * refused connection, with every SLF4J logger enabled at TRACE and captured ({@link CapturingLogs}). The
 * key appears in no log line, no exception (message, {@code toString()}, stack trace with causes), no
 * partial answer, no {@code toString()} of the provider, stream, events or response infos, and no
 * request the server recorded other than its {@code Authorization} header, which is exactly
 * {@code Bearer <key>}. Also: plain http needs no ceremony on loopback and an explicit opt-in elsewhere.
 */
class SecretsTest {
  private static final String KEY = "gsk_SECRET_7f3a9c1e5b2d4f60";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<String> seen = new ArrayList<>(); // everything rendered that a user could see

  private void see(Object o) {
    seen.add(String.valueOf(o));
    if (o instanceof Throwable t) {
      StringWriter w = new StringWriter();
      t.printStackTrace(new PrintWriter(w));
      seen.add(w.toString());
      if (t instanceof StreamException se) {
        seen.add(se.partial().toString());
        seen.add(se.partial().text());
      }
    }
  }

  private TestSubscriber<StreamEvent> run(GroqProvider p, CancellationToken token, boolean cancelOnFirstText) {
    TokenStream stream = p.stream(ChatRequest.ofUser("hello"), token);
    see(stream);
    TestSubscriber<StreamEvent> sub = TestSubscriber.create();
    stream.subscribe(sub);
    if (cancelOnFirstText) {
      sub.awaitCount(2, WAIT);
      token.cancel();
    }
    sub.awaitTerminal(WAIT).assertNoViolations();
    sub.values().forEach(this::see);
    sub.signals().forEach(this::see);
    if (sub.error() != null) {
      see(sub.error());
    }
    see(stream.partial());
    see(stream.state());
    return sub;
  }

  @Test
  void theKeyAppearsNowhereButInTheAuthorizationHeader() {
    List<GroqResponseInfo> infos = new CopyOnWriteArrayList<>();
    String text = "one two three four five six seven eight nine ten";
    CapturingLogs.start();
    List<String> logs;
    List<RecordedRequest> requests;
    List<ErrorKind> kinds = new ArrayList<>();
    try (FakeGroqServer server = FakeGroqServer.builder()
        .enqueue(ResponseScript.text(text))                                                  // success
        .enqueue(ResponseScript.httpError(401))                                              // key rejected
        .enqueue(ResponseScript.rateLimited(Duration.ofMillis(1)))                           // 429, retried
        .enqueue(ResponseScript.rateLimited(Duration.ofMillis(1)))                           // 429, retried
        .enqueue(ResponseScript.text(text))                                                  // then success
        .enqueue(ResponseScript.builder().text(text).tokensPerSecond(50).build())           // cancelled
        .enqueue(ResponseScript.builder().text(text).malformedAt(3).build())                 // malformed
        .enqueue(ResponseScript.builder().text(text).errorEventAt(3).build())                // error event
        .enqueue(ResponseScript.builder().text(text)
            .garbageAt(3, ("data: " + "x".repeat(3000) + "\n\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .build())                                                                        // over-long line
        .enqueue(ResponseScript.builder().text(text).stallAfter(1).build())                  // first-token timeout
        .enqueue(ResponseScript.builder().text(text).stallAfter(4).build())                  // idle timeout
        .build().start();
        GroqProvider p = GroqProvider.builder()
            .apiKey(KEY)
            .recovery(RecoveryPolicy.disabled()) // every scripted failure ends its stream (recovery has its own tests)
            .baseUrl(server.baseUrl())
            .defaultModel("llama-3.3-70b-versatile")
            .maxLineLength(2048)
            .firstTokenTimeout(Duration.ofMillis(400))
            .idleTimeout(Duration.ofMillis(300))
            .onResponse(infos::add)
            .build()) {
      see(p);
      for (int i = 0; i < 9; i++) { // 11 responses: the 429s are retried (a silence after 2xx headers is not)
        TestSubscriber<StreamEvent> sub = run(p, CancellationToken.create(), i == 3);
        kinds.add(sub.error() == null ? null : ((StreamException) sub.error()).kind());
      }
      requests = server.requests();
      requests.forEach(this::see);
    }
    // a server that refuses the connection
    try (GroqProvider p = GroqProvider.builder().apiKey(KEY).baseUrl("http://127.0.0.1:1/v1").defaultModel("m")
        .maxRetries(0).build()) {
      TestSubscriber<StreamEvent> sub = run(p, CancellationToken.create(), false);
      kinds.add(((StreamException) sub.error()).kind());
    }
    logs = CapturingLogs.stop();
    infos.forEach(this::see);

    assertThat(kinds).containsExactly(null, ErrorKind.AUTHENTICATION, null, null, ErrorKind.PROTOCOL,
        ErrorKind.UPSTREAM, ErrorKind.LIMIT_EXCEEDED, ErrorKind.TIMEOUT, ErrorKind.TIMEOUT, ErrorKind.CONNECTION);
    assertThat(requests).hasSize(11);
    for (RecordedRequest r : requests) {
      assertThat(r.header("Authorization")).isEqualTo("Bearer " + KEY);
      r.headers().forEach((name, values) -> {
        if (!name.equalsIgnoreCase("authorization")) {
          assertThat(values.toString()).as("header " + name).doesNotContain(KEY);
        }
      });
      assertThat(r.body()).doesNotContain(KEY);
    }
    assertThat(logs).as("the capture works: the retries were logged").anyMatch(l -> l.contains("Retrying the Groq request"));
    assertThat(logs).as("log lines").noneMatch(l -> l.contains(KEY) || l.contains(KEY.substring(4, 16)));
    assertThat(seen).as("what users can see").isNotEmpty().noneMatch(s -> s.contains(KEY) || s.contains(KEY.substring(4, 16)));
  }

  /**
   * Keys with a character an HTTP header cannot carry (or no key has) are refused when the provider is
   * built, from {@code apiKey(..)} and from {@code GROQ_API_KEY}, with the position and kind of the character
   * and nothing of the key: the JDK's own message ({@code invalid header value: "Bearer ..."}) would quote it.
   */
  @Test
  void keysWithCharactersNoHeaderCarriesAreRefusedWithoutQuotingThem() {
    String head = "gsk_LeakCanary";
    String tail = "Tail9f8e7d6c5b4a";
    List<String> bad = List.of("\u0007", "\u007f", "\u0000", "\u200b", "\u201c", "\u00e9", "\u2028", " ", "\t", "\n");
    for (String c : bad) {
      String key = head + c + tail;
      for (boolean fromEnv : new boolean[] {false, true}) {
        GroqProvider.Builder b = GroqProvider.builder().environment(n -> fromEnv ? key : null);
        String desc = (fromEnv ? "GROQ_API_KEY" : "apiKey") + " with U+" + Integer.toHexString(c.charAt(0));
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> (fromEnv ? b : b.apiKey(key)).build());
        assertThat(t).as(desc).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("character " + (head.length() + 1) + " of " + key.length())
            .hasMessageContaining(fromEnv ? "GROQ_API_KEY" : "apiKey");
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).as(desc).doesNotContain(head).doesNotContain(tail).doesNotContain("LeakCanary");
      }
    }
    // a key that is fine apart from surrounding white space (a trailing newline from a file) is accepted
    assertThat(GroqProvider.builder().environment(n -> " " + head + tail + "\n").build()).isNotNull();
  }

  @Test
  void builderErrorsAndToStringNeverShowTheKey() {
    GroqProvider.Builder b = GroqProvider.builder().apiKey(KEY);
    assertThat(b.toString()).doesNotContain(KEY);
    assertThatThrownBy(() -> GroqProvider.builder().apiKey(KEY).baseUrl("http://llm.example.com/v1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowInsecureHttp(true)")
        .hasMessageNotContaining(KEY);
    assertThatThrownBy(() -> GroqProvider.builder().apiKey(KEY).apiKey(KEY))
        .hasMessageNotContaining(KEY);
    try (GroqProvider p = GroqProvider.builder().apiKey(KEY).build()) {
      assertThat(p.toString()).contains("apiKey=****").doesNotContain(KEY);
    }
  }

  @Test
  void plainHttpIsFineOnLoopbackAndNeedsAnOptInElsewhere() {
    for (String base : List.of("http://localhost:11434/v1", "http://127.0.0.1:8080/v1", "http://[::1]:8080/v1",
        "http://127.1.2.3/v1", "http://api.localhost/v1")) {
      try (GroqProvider p = GroqProvider.builder().baseUrl(base).build()) { // no key needed either
        assertThat(p).isNotNull();
      }
    }
    for (String base : List.of("http://192.168.1.10:11434/v1", "http://llm.example.com/v1", "http://10.0.0.1/v1",
        "http://localhost.example.com/v1", "http://127.0.0.1.nip.io/v1")) {
      assertThatThrownBy(() -> GroqProvider.builder().apiKey(KEY).baseUrl(base).build())
          .as(base)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("allowInsecureHttp(true)");
      try (GroqProvider p = GroqProvider.builder().apiKey(KEY).baseUrl(base).allowInsecureHttp(true).build()) {
        assertThat(p).isNotNull();
      }
    }
    try (GroqProvider p = GroqProvider.builder().apiKey(KEY).baseUrl("https://llm.example.com/v1").build()) {
      assertThat(p).isNotNull();
    }
  }
}
