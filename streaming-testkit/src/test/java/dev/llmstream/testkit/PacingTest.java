package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pacing as the client sees it. Most tests drive the server with a {@link VirtualScheduler} and read the
 * virtual time at which each chunk arrives (the test advances in steps and waits for each chunk, so the
 * stamps are exact). Two tests use the real clock and check only loose lower bounds.
 */
class PacingTest {
  private static final String TEXT = "one two three four five six seven eight nine ten eleven twelve";
  private FakeGroqServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  private SseProbe start(VirtualScheduler clock, ResponseScript script) throws Exception {
    server = FakeGroqServer.builder().scheduler(clock).always(script).build().start();
    SseProbe probe = SseProbe.post(server, clock::nanoTime);
    server.awaitRequests(1, SseProbe.WAIT);
    clock.runDue(); // headers
    return probe.read();
  }

  /**
   * Advances the clock one task at a time until the server has written the next data event, then reads
   * that event before moving on, so each line's stamp is the virtual time it was written at.
   */
  private List<Long> arrivals(VirtualScheduler clock, SseProbe probe, int dataEvents) throws Exception {
    List<Long> stamps = new ArrayList<>();
    while (stamps.size() < dataEvents) {
      int want = stamps.size() + 1;
      while (server.connections().get(0).chunksSent() < want) {
        Duration next = clock.nextDelay();
        assertThat(next).as("a pending step for chunk %d", want).isNotNull();
        clock.advance(next);
      }
      SseProbe.Item i = probe.nextLine();
      if (i.line().startsWith("data: ")) {
        stamps.add(i.nanos());
      }
    }
    return stamps;
  }

  @Test
  void timeToFirstTokenIsWhenTheFirstTextIsWritten() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    SseProbe probe = start(clock, ResponseScript.builder().text(TEXT).chunking(Chunking.perWord())
        .timeToFirstToken(Duration.ofMillis(300)).tokensPerSecond(10).build());
    assertThat(probe.response().statusCode()).as("headers go out at once").isEqualTo(200);
    clock.advance(Duration.ofMillis(299));
    assertThat(probe.pollNonBlank(200)).as("nothing before 300 ms").isNull();
    clock.advance(Duration.ofMillis(1));
    SseProbe.Item role = probe.nextLine();
    assertThat(role.line()).contains("\"role\":\"assistant\"");
    assertThat(role.nanos()).isEqualTo(Duration.ofMillis(300).toNanos());
    SseProbe.Item text = probe.nextLine();
    assertThat(SseProbe.parse(text.line().substring("data: ".length())).path("choices").path(0).path("delta").path("content").asText())
        .as("the first token").isEqualTo("one");
    assertThat(text.nanos()).as("text at the time to first token, not a token gap later")
        .isEqualTo(Duration.ofMillis(300).toNanos());
    assertThat(server.connections().get(0).chunksSent()).isEqualTo(2);
  }

  @Test
  void tokensPerSecondSpacesChunksEvenly() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    SseProbe probe = start(clock, ResponseScript.builder().text(TEXT).chunking(Chunking.perWord())
        .timeToFirstToken(Duration.ofMillis(200)).tokensPerSecond(20).build());
    List<Long> t = arrivals(clock, probe, 12 + 3);
    assertThat(t.get(0)).as("the role chunk").isEqualTo(200_000_000L);
    assertThat(t.get(1)).as("the first token, with it").isEqualTo(200_000_000L);
    for (int i = 2; i < t.size(); i++) {
      assertThat(t.get(i) - t.get(i - 1)).as("gap %d", i).isEqualTo(50_000_000L);
    }
  }

  @Test
  void jitterVariesGapsWithinBoundsAndIsRepeatableForASeed() throws Exception {
    List<Long> gaps1 = jitteredGaps(7);
    List<Long> gaps2 = jitteredGaps(7);
    List<Long> gaps3 = jitteredGaps(8);
    assertThat(gaps1).isEqualTo(gaps2).isNotEqualTo(gaps3);
    assertThat(gaps1).allSatisfy(g -> assertThat(g).isBetween(50_000_000L, 150_000_000L));
    assertThat(gaps1.stream().distinct().count()).isGreaterThan(5);
  }

  private List<Long> jitteredGaps(long seed) throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    SseProbe probe = start(clock, ResponseScript.builder().text(TEXT).chunking(Chunking.perWord())
        .tokensPerSecond(10).jitter(0.5).seed(seed).build());
    List<Long> t = arrivals(clock, probe, 15);
    server.close();
    List<Long> gaps = new ArrayList<>();
    for (int i = 2; i < t.size(); i++) { // from the first token on (the role chunk goes with it)
      gaps.add(t.get(i) - t.get(i - 1));
    }
    return gaps;
  }

  @Test
  void burstsSendFastThenPause() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    SseProbe probe = start(clock, ResponseScript.builder().text(TEXT).chunking(Chunking.perWord())
        .tokensPerSecond(1000).bursts(4, Duration.ofMillis(200)).build());
    List<Long> t = arrivals(clock, probe, 15);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < t.size(); i++) {
      gaps.add((t.get(i) - t.get(i - 1)) / 1_000_000);
    }
    // chunks 1-4 one burst, 5-8, 9-12, 13-15: a pause before chunks 5, 9 and 13; the role chunk (1) and
    // the first token (2) go together
    assertThat(gaps).containsExactly(0L, 1L, 1L, 200L, 1L, 1L, 1L, 200L, 1L, 1L, 1L, 200L, 1L, 1L);
  }

  @Test
  void hundredThousandTokenAnswerIsGeneratedLazily() throws Exception {
    server = FakeGroqServer.builder()
        .always(ResponseScript.builder().generatedText(100_000, i -> " w" + (i % 1000)).build()).build().start();
    long t0 = System.nanoTime();
    List<SseProbe.Item> items = SseProbe.post(server, System::nanoTime).read().drain();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    List<String> data = SseProbe.dataLines(items);
    assertThat(data).hasSize(100_000 + 3);
    assertThat(SseProbe.parse(data.get(100_001)).path("x_groq").path("usage").path("completion_tokens").asLong())
        .isEqualTo(100_000);
    assertThat(server.awaitEnded(0, SseProbe.WAIT).chunksSent()).isEqualTo(100_003);
    System.out.println("100k-token unpaced answer read in " + ms + " ms");
  }

  @Test
  void realClockTimeToFirstTokenIsNotEarly() throws Exception {
    server = FakeGroqServer.builder()
        .always(ResponseScript.builder().text("hi there").timeToFirstToken(Duration.ofMillis(300)).build())
        .build().start();
    long t0 = System.nanoTime();
    SseProbe probe = SseProbe.post(server, System::nanoTime).read();
    long firstChunk = probe.nextLine().nanos() - t0;
    assertThat(firstChunk).as("first chunk after ~300 ms").isGreaterThanOrEqualTo(250_000_000L);
    System.out.println("real ttft 300 ms configured, measured " + firstChunk / 1_000_000 + " ms");
  }

  @Test
  void realClockRateIsNotFaster() throws Exception {
    server = FakeGroqServer.builder()
        .always(ResponseScript.builder().text(TEXT).chunking(Chunking.perWord()).tokensPerSecond(50).build())
        .build().start();
    long sent = System.nanoTime();
    SseProbe probe = SseProbe.post(server, System::nanoTime).read();
    List<SseProbe.Item> items = probe.drain();
    List<Long> t = items.stream().filter(i -> i.isLine() && i.line().startsWith("data: ")).map(SseProbe.Item::nanos).toList();
    // 15 events, 13 gaps of 20 ms = 260 ms (the role chunk and the first token go together). Measured
    // from the request, not from the first arrival: a client slow to read the first event (a busy
    // machine) shortens first-to-last, but nothing makes the last event arrive before its schedule.
    long span = t.get(t.size() - 1) - sent;
    assertThat(t).hasSize(15);
    assertThat(span).isGreaterThanOrEqualTo(250_000_000L);
    System.out.println("real 50 tok/s, 13 gaps: " + span / 1_000_000 + " ms from the request (nominal 260)");
  }
}
