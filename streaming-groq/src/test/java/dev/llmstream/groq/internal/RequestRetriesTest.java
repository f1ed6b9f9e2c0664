package dev.llmstream.groq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.StreamState;
import dev.llmstream.groq.internal.SourceSignals.AttemptDue;
import dev.llmstream.groq.internal.SourceSignals.RetriesOver;
import dev.llmstream.testkit.VirtualScheduler;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The retries of one request before its first token, on the virtual clock: retried before the first
 * token; once it arrived, settled (nothing of the execution kept) and a failure ends the request with the
 * same error as before.
 */
class RequestRetriesTest {
  private final VirtualScheduler clock = new VirtualScheduler();
  private final List<Object> posted = new ArrayList<>();

  private RequestRetries retries() {
    GroqConfig config = new GroqConfig(URI.create("http://127.0.0.1:1/v1/chat/completions"), null, "m",
        Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 2, false, Duration.ofSeconds(60),
        HttpClient.newHttpClient(), Map.of(), clock, 1 << 20, null, JsonSupport.newMapper(),
        true, new GroqConfig.Limits(1 << 20, 1 << 20, 1 << 20), new StreamPermits(1), Duration.ofSeconds(1), 6,
        new Random(1));
    RequestRetries r = new RequestRetries(config, new RequestBudget(6));
    r.start(posted::add);
    assertThat(posted).singleElement().isInstanceOf(AttemptDue.class);
    r.attemptStarted((AttemptDue) posted.remove(0));
    return r;
  }

  private static Exception cut(boolean afterFirstToken) {
    StreamException e = new StreamException(ErrorKind.CONNECTION, "connection reset", StreamException.NO_STATUS,
        "req_1", null);
    return Failures.attemptFailure(e, -1, null, afterFirstToken, null);
  }

  @Test
  void aCutBeforeTheFirstTokenIsRetriedAfterItsDelay() {
    RequestRetries r = retries();
    assertThat(r.failed(cut(false))).isTrue();
    assertThat(posted).isEmpty();
    clock.advance(Duration.ofSeconds(10));
    assertThat(posted).singleElement().isInstanceOfSatisfying(AttemptDue.class, d -> assertThat(d.retry()).isTrue());
  }

  @Test
  void afterTheFirstTokenACutEndsTheRequestWithItsError() {
    RequestRetries r = retries();
    r.firstToken();
    assertThat(posted).as("settling tells the loop nothing").isEmpty();
    assertThat(clock.pendingTasks()).isZero();

    assertThat(r.failed(cut(true))).as("not retried").isFalse();
    assertThat(posted).singleElement().isInstanceOf(RetriesOver.class);
    RetriesOver over = (RetriesOver) posted.get(0);
    StreamException error = r.finalError(over.error(), false, "req_1");
    assertThat(error.kind()).isEqualTo(ErrorKind.CONNECTION);
    assertThat(error).hasMessageContaining("connection reset");
    clock.advance(Duration.ofMinutes(5));
    assertThat(posted).as("no retry, ever").hasSize(1);
  }

  @Test
  void aRetriedRequestThatGetsItsFirstTokenEndsTheExecutionQuietly() {
    RequestRetries r = retries();
    assertThat(r.failed(cut(false))).isTrue();
    clock.advance(Duration.ofSeconds(10));
    r.attemptStarted((AttemptDue) posted.remove(0));
    r.firstToken();
    clock.advance(Duration.ofMinutes(5));
    assertThat(posted).as("the execution ended normally: no RetriesOver, no further attempt").isEmpty();
    assertThat(r.failed(cut(true))).isFalse();
    assertThat(posted).singleElement().isInstanceOf(RetriesOver.class);
  }

  @Test
  void aTimeoutAfterTheFirstTokenIsNotRetriedEither() {
    RequestRetries r = retries();
    r.firstToken();
    StreamException timeout = StreamException.timeout(StreamState.STREAMING, Duration.ofSeconds(30), "req_1", null);
    assertThat(r.failed(Failures.attemptFailure(timeout, -1, null, true, null))).isFalse();
    RetriesOver over = (RetriesOver) posted.get(0);
    assertThat(r.finalError(over.error(), false, "req_1").kind()).isEqualTo(ErrorKind.TIMEOUT);
  }
}
