package dev.llmstream.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.testkit.ConnectionRecord;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.SimulatedModel;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code web} example's relay contract over real HTTP, for the MVC and the WebFlux endpoints alike:
 * exact resume, 404 for strangers, stop closes the model's connection, 409 for a busy conversation, 400
 * for bad input. Subclasses start the application on a random port against {@link #upstream()}.
 */
@Timeout(60)
abstract class RelayContract {
  /** A simulated model fast enough for whole answers, slow enough to stop one mid-way. */
  static final SimulatedModel MODEL =
      SimulatedModel.builder().tokensPerSecond(400).timeToFirstToken(Duration.ofMillis(20)).paragraphs(3, 4).build();

  abstract int port();

  abstract FakeGroqServer upstream();

  @Test
  void resumingAfterAnyIdGivesExactlyTheRestOfTheAnswer() throws Exception {
    RelayHttp me = new RelayHttp(port());
    String run = me.start("resume contract", "resume");
    List<RelayHttp.Event> all;
    try {
      all = me.events(run, 0);
    } catch (java.io.IOException e) {
      throw new AssertionError("the event stream did not end; upstream calls: " + upstream().connections(), e);
    }
    assertThat(all.get(all.size() - 1).type()).isEqualTo("done");
    assertThat(all.get(all.size() - 1).data().get("state").asText())
        .as("%s", all.get(all.size() - 1).data())
        .isEqualTo("COMPLETED");
    assertThat(RelayHttp.text(all)).isEqualTo(MODEL.answer("resume contract"));

    List<RelayHttp.Event> texts = all.stream().filter(e -> e.type().equals("text")).toList();
    RelayHttp.Event cut = texts.get(texts.size() / 2);
    List<RelayHttp.Event> before = all.stream().filter(e -> e.id() <= cut.id()).toList();
    List<RelayHttp.Event> rest = me.events(run, cut.id());
    assertThat(rest).allSatisfy(e -> assertThat(e.id()).isGreaterThan(cut.id()));
    assertThat(RelayHttp.text(before) + RelayHttp.text(rest)).isEqualTo(MODEL.answer("resume contract"));
    assertThat(rest.stream().filter(e -> e.type().equals("done"))).hasSize(1);

    HttpResponse<String> atEnd =
        me.get("/api/runs/" + run + "/events", Long.toString(all.get(all.size() - 1).id()));
    assertThat(atEnd.statusCode()).isEqualTo(204);
  }

  @Test
  void anotherOwnerGets404ForEventsAndStopAndCannotChangeTheRun() throws Exception {
    RelayHttp me = new RelayHttp(port());
    RelayHttp stranger = new RelayHttp(port());
    String run = me.start("stranger contract", "stranger");
    assertThat(me.cookie()).matches("sid=[A-Za-z0-9_-]{22}");

    HttpResponse<String> events = stranger.get("/api/runs/" + run + "/events", null);
    assertThat(events.statusCode()).isEqualTo(404);
    assertThat(events.body()).doesNotContain("Great", "step", "Sure");
    assertThat(stranger.post("/api/runs/" + run + "/stop", "").statusCode()).isEqualTo(404);
    assertThat(stranger.get("/api/runs/no-such-run/events", null).statusCode()).isEqualTo(404);
    assertThat(stranger.cookie()).isNotNull().isNotEqualTo(me.cookie());

    List<RelayHttp.Event> mine = me.events(run, 0);
    assertThat(mine.get(mine.size() - 1).data().get("state").asText()).isEqualTo("COMPLETED");
    assertThat(RelayHttp.text(mine)).isEqualTo(MODEL.answer("stranger contract"));
  }

  @Test
  void stopClosesTheModelConnectionAndEndsTheRunCancelled() throws Exception {
    RelayHttp me = new RelayHttp(port());
    int index = upstream().requests().size();
    String run = me.start("stop contract with a long answer", "stop");
    upstream().awaitChunks(index, 3, Duration.ofSeconds(10));

    HttpResponse<String> busy = me.post("/api/chat", "{\"message\":\"again\",\"chat\":\"stop\"}");
    assertThat(busy.statusCode()).as(busy.body()).isEqualTo(409);

    HttpResponse<String> stop = me.post("/api/runs/" + run + "/stop", "");
    assertThat(stop.statusCode()).isEqualTo(200);
    assertThat(RelayHttp.json(stop.body()).get("stopped").asBoolean()).isTrue();

    ConnectionRecord upstreamCall = upstream().awaitEnded(index, Duration.ofSeconds(10));
    assertThat(upstreamCall.ending()).isEqualTo(ConnectionRecord.Ending.CLOSED_BY_CLIENT);
    List<RelayHttp.Event> events = me.events(run, 0);
    RelayHttp.Event done = events.get(events.size() - 1);
    assertThat(done.type()).isEqualTo("done");
    assertThat(done.data().get("state").asText()).isEqualTo("CANCELLED");
    assertThat(RelayHttp.text(events)).isNotEqualTo(MODEL.answer("stop contract with a long answer"));
  }

  @Test
  void badInputIs400WithWhatToDo() throws Exception {
    RelayHttp me = new RelayHttp(port());
    HttpResponse<String> noMessage = me.post("/api/chat", "{\"chat\":\"x\"}");
    assertThat(noMessage.statusCode()).isEqualTo(400);
    assertThat(RelayHttp.json(noMessage.body()).get("error").asText()).contains("'message' is required");
    HttpResponse<String> badSlot = me.post("/api/chat", "{\"message\":\"hi\",\"chat\":\"a b\"}");
    assertThat(badSlot.statusCode()).isEqualTo(400);
    assertThat(me.get("/api/runs/x/events", "abc").statusCode()).isEqualTo(400);
  }
}
