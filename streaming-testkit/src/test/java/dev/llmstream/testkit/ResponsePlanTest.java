package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.testkit.internal.ResponsePlan;
import dev.llmstream.testkit.internal.Step;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The response plan is pure: steps, delays and HTTP chunk framing, without any socket. */
class ResponsePlanTest {
  private static List<Step> steps(ResponseScript script) {
    ResponsePlan plan = new ResponsePlan(script.spec(), 0, 100, () -> 0L);
    List<Step> out = new ArrayList<>();
    Step s;
    do {
      s = plan.next();
      out.add(s);
    } while (s.after() == Step.After.CONTINUE);
    return out;
  }

  private static String text(Step s) {
    return new String(s.bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void headersThenFramedEventsThenTerminatorWithTheLastEvent() {
    List<Step> steps = steps(ResponseScript.builder().text("Hi").timeToFirstToken(Duration.ofMillis(5))
        .tokensPerSecond(100).build());
    assertThat(text(steps.get(0))).startsWith("HTTP/1.1 200 OK\r\n").contains("content-type: text/event-stream\r\n")
        .contains("transfer-encoding: chunked\r\n").endsWith("\r\n\r\n");
    assertThat(steps.get(1).delayNanos()).isEqualTo(5_000_000L); // role chunk at ttft
    assertThat(steps.get(2).delayNanos()).isZero(); // "Hi", the first token, right after it: at ttft
    assertThat(steps.get(3).delayNanos()).isEqualTo(10_000_000L); // the finish chunk at 100 tok/s
    String hi = text(steps.get(2));
    String payload = hi.substring(hi.indexOf("\r\n") + 2, hi.length() - 2);
    assertThat(hi).startsWith(Integer.toHexString(payload.getBytes(StandardCharsets.UTF_8).length) + "\r\n");
    assertThat(payload).startsWith("data: {").endsWith("}\n\n").contains("\"content\":\"Hi\"");
    Step last = steps.get(steps.size() - 1);
    assertThat(text(last)).contains("data: [DONE]\n\n").endsWith("0\r\n\r\n");
    assertThat(last.after()).isEqualTo(Step.After.END);
    assertThat(steps).extracting(Step::events).containsExactly(0, 1, 1, 1, 1);
  }

  @Test
  void errorStatusIsOneHeadAndABodyWithContentLength() {
    List<Step> steps = steps(ResponseScript.httpError(401));
    assertThat(steps).hasSize(2);
    assertThat(text(steps.get(0))).startsWith("HTTP/1.1 401 Unauthorized\r\n").contains("content-length: ");
    assertThat(text(steps.get(1))).contains("invalid_api_key");
    assertThat(steps.get(1).after()).isEqualTo(Step.After.END);
  }

  @Test
  void faultsEndThePlanWhereScripted() {
    assertThat(steps(ResponseScript.builder().text("a b c d").disconnectAfter(2).build()))
        .last().satisfies(s -> assertThat(s.after()).isEqualTo(Step.After.CUT));
    assertThat(steps(ResponseScript.builder().text("a b c d").stallAfter(0).build()))
        .hasSize(2).last().satisfies(s -> assertThat(s.after()).isEqualTo(Step.After.STALL));
    List<Step> slow = steps(ResponseScript.builder().text("a").slowHeaders(Duration.ofMillis(7)).build());
    assertThat(text(slow.get(0))).isEqualTo("HTTP/1.1 200 OK\r\n");
    assertThat(slow.get(1).delayNanos()).isEqualTo(7_000_000L);
  }
}
