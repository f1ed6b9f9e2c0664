package dev.llmstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.web.AnswerRuns;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The WebFlux endpoints on Reactor Netty against the simulated upstream: the same contract as MVC. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = WebFluxRelayTest.App.class,
    properties = {"spring.main.web-application-type=reactive", "llmstream.groq.api-key=gsk_test", "llmstream.groq.model=sim-model",
      "llmstream.groq.first-token-timeout=10s"})
class WebFluxRelayTest extends RelayContract {
  private static final FakeGroqServer UPSTREAM = FakeGroqServer.simulated(MODEL).start();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @DynamicPropertySource
  static void upstream(DynamicPropertyRegistry registry) {
    registry.add("llmstream.groq.base-url", UPSTREAM::baseUrl);
  }

  @AfterAll
  static void closeUpstream() {
    UPSTREAM.close();
  }

  @LocalServerPort int port;

  @Autowired AnswerRuns runs;

  @Test
  void theStreamIsServerSentEventsAndAClientThatLeavesCancelsItsReader() throws Exception {
    RelayHttp me = new RelayHttp(port);
    int before = runs.readers();
    String run = me.start("disconnect contract with a long answer", "disconnect");
    List<String> lines = new ArrayList<>();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/runs/" + run + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + me.cookie()
          + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null && !line.equals("event:text"); line = in.readLine()) {
        lines.add(line);
      }
      assertThat(lines.get(0)).isEqualTo("HTTP/1.1 200 OK");
      assertThat(lines).as("Spring's SSE encoder: no space after the colon").contains("retry:1000").anyMatch(l -> l.matches("id:\\d+"));
      assertThat(lines).anyMatch(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-type: text/event-stream"));
      assertThat(runs.readers()).isEqualTo(before + 1);
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (runs.readers() > before && System.nanoTime() < until) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // bounded wait for Netty to see the close
    }
    assertThat(runs.readers()).as("the closed connection cancelled the subscription and the relay's reader").isEqualTo(before);
    me.post("/api/runs/" + run + "/stop", "");
  }

  @Override
  int port() {
    return port;
  }

  @Override
  FakeGroqServer upstream() {
    return UPSTREAM;
  }
}
