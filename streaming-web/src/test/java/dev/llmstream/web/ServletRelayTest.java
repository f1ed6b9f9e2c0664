package dev.llmstream.web;

import dev.llmstream.web.testing.SseClient;
import static dev.llmstream.web.RelayFixture.ask;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.web.testing.SseClient.Event;
import dev.llmstream.web.testing.SseClient.Result;
import dev.llmstream.web.servlet.ServletSse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Servlet 6 async adapter inside a real embedded Jetty 12 (ee10). */
class ServletRelayTest {
  private static final int MAX_BATCH = 64;
  private final RelayFixture upstream = new RelayFixture();
  private final HttpClient http = HttpClient.newHttpClient();
  private AnswerRuns runs;
  private Server jetty;
  private ServerConnector connector;
  private SseClient client;

  /** {@code GET /runs/{id}/events} and {@code POST /runs/{id}/stop}; the owner from {@code X-Owner}. */
  private final class RunServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String[] p = req.getPathInfo().split("/"); // "", id, "events"
      if (p.length == 3 && p[2].equals("events")) {
        ServletSse.serve(req, resp, runs, owner(req), p[1]);
      } else {
        resp.sendError(404);
      }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String[] p = req.getPathInfo().split("/");
      StopResult r = runs.stop(owner(req), p[1]).toCompletableFuture().join();
      resp.setStatus(r == StopResult.NOT_FOUND ? 404 : 200);
      resp.getWriter().write(r.name());
    }

    private String owner(HttpServletRequest req) {
      String o = req.getHeader("X-Owner");
      return o == null ? "nobody" : o;
    }
  }

  @BeforeEach
  void start() throws Exception {
    runs = AnswerRuns.builder(upstream.provider).maxBatchEvents(MAX_BATCH).maxEventsPerRun(100_000).build();
    jetty = new Server();
    HttpConfiguration http11 = new HttpConfiguration();
    http11.setOutputBufferSize(4096);
    connector = new ServerConnector(jetty, new HttpConnectionFactory(http11));
    connector.setHost("127.0.0.1");
    connector.setAcceptedSendBufferSize(8192); // a slow client backs up into the relay soon
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    ServletHolder holder = new ServletHolder(new RunServlet());
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/runs/*");
    jetty.setHandler(context);
    jetty.start();
    client = new SseClient(http, "http://127.0.0.1:" + connector.getLocalPort());
  }

  @AfterEach
  void stop() throws Exception {
    runs.close();
    jetty.stop();
    upstream.close();
  }

  @Test
  void resumesAfterDroppedConnectionsExactly() throws Exception {
    String id = runs.start("alice", ask(RelayFixture.MEDIUM), RelayFixture.eachToken()).toCompletableFuture().join();
    List<Event> got = new ArrayList<>();
    Result r = client.read("alice", id, 0, 3);
    got.addAll(r.events());
    while (!r.sawDone()) {
      r = client.read("alice", id, SseClient.last(got).id(), 5);
      assertThat(r.status()).isEqualTo(200);
      got.addAll(r.events());
    }
    for (int i = 1; i < got.size(); i++) {
      assertThat(got.get(i).id()).isGreaterThan(got.get(i - 1).id());
    }
    assertThat(SseClient.text(got)).isEqualTo(RelayFixture.expected(300));
    assertThat(client.read("alice", id, SseClient.last(got).id(), 10).status()).isEqualTo(204);
  }

  @Test
  void strangersGet404AndTheOwnersStopClosesTheModelCall() throws Exception {
    String id = runs.start("alice", ask(RelayFixture.SLOW)).toCompletableFuture().join();
    upstream.fake.awaitChunks(0, 5, Duration.ofSeconds(30));
    assertThat(client.readAll("bob", id, 0).status()).isEqualTo(404);
    assertThat(client.readAll(null, id, 0).status()).isEqualTo(404);
    assertThat(stop(id, "bob").statusCode()).isEqualTo(404);
    assertThat(upstream.fake.openConnections()).isEqualTo(1);
    CompletableFuture<Result> reader = CompletableFuture.supplyAsync(() -> {
      try {
        return client.readAll("alice", id, 0);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(stop(id, "alice").body()).isEqualTo("STOPPING");
    Event done = SseClient.last(reader.get(30, TimeUnit.SECONDS).events());
    assertThat(done.json().get("state").asText()).isEqualTo("CANCELLED");
    assertThat(upstream.fake.awaitEnded(0, Duration.ofSeconds(10)).ending())
        .isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
  }

  private HttpResponse<String> stop(String id, String owner) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/runs/" + id + "/stop"))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (owner != null) {
      b.header("X-Owner", owner);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aThrottledReaderGetsTheExactTextInFewerEventsWithBoundedServerMemory() throws Exception {
    CompletableFuture<RunResult> end = new CompletableFuture<>();
    String id =
        runs.start("alice", ask(RelayFixture.BIG), RunOptions.builder().listener(end::complete).build())
            .toCompletableFuture()
            .join();
    List<Event> events;
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(4096); // a small TCP window, and a small send buffer on the server side
      s.connect(new InetSocketAddress("127.0.0.1", connector.getLocalPort()));
      OutputStream out = s.getOutputStream();
      out.write(("GET /runs/" + id + "/events HTTP/1.1\r\nHost: test\r\nX-Owner: alice\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ThrottledBody body = new ThrottledBody(s.getInputStream());
      // 256 bytes per 500 chunks the model sends (~50 bytes per 1,000 of answer text): far slower than
      // the answer is produced, whatever the machine's load. Once the model has sent everything, nothing
      // more is read until the run has ended: on a loaded machine the pipeline may still be working
      // through the chunks, and a reader unthrottled then would keep up with it.
      for (int chunks = 500; !end.isDone(); chunks += 500) {
        ConnectionRecord model = upstream.fake.awaitChunks(0, chunks, Duration.ofSeconds(60));
        if (model.ending() != ConnectionRecord.Ending.OPEN) {
          end.get(60, TimeUnit.SECONDS);
          break;
        }
        body.readSome(256);
      }
      events = body.readToDone();
    }
    RunResult result = end.get(10, TimeUnit.SECONDS);
    assertThat(SseClient.text(events)).isEqualTo(RelayFixture.expectedBig()).isEqualTo(result.response().text());
    long logEvents = SseClient.last(events).id(); // ids are 1..n in the log
    assertThat(events.size()).as("events received vs logged").isLessThan((int) (logEvents / 3));
    assertThat(runs.coalescedEvents()).isGreaterThan(logEvents / 2);
    // One write carries at most MAX_BATCH log events, each at most the buffer's 256-character batch:
    // that bounds what the server holds for this reader, however far behind it is.
    int largest = events.stream().mapToInt(e -> e.data().length()).max().orElseThrow();
    assertThat(largest).isLessThanOrEqualTo(MAX_BATCH * 256 + 64);
    System.out.printf("throttled reader: %d log events arrived as %d events; largest %d chars%n",
        logEvents, events.size(), largest);
  }
}
