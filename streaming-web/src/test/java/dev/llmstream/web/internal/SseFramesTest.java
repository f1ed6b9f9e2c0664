package dev.llmstream.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.web.spi.RunEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure encoder: framing, ids, coalescing of a batch that piled up. */
class SseFramesTest {
  private static final long ST = 1_764_000_000_123L;

  private static RunEvent text(long id, String t) {
    return new RunEvent(id, RunEvent.TEXT, EventJson.text(t));
  }

  private static RunEvent progress(long id, int tokens) {
    return new RunEvent(id, RunEvent.PROGRESS, "{\"tokens\":" + tokens + "}");
  }

  private static String encode(List<RunEvent> batch) {
    return new String(SseFrames.encode(batch, ST).bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void aSingleEventIsWrittenAsIsWithItsId() {
    assertThat(encode(List.of(text(7, "Hi \"you\"\n"))))
        .isEqualTo("id: 7\nevent: text\ndata: {\"t\":\"Hi \\\"you\\\"\\n\",\"st\":1764000000123}\n\n");
  }

  @Test
  void aBatchThatPiledUpBecomesOneTextAndTheLastProgress() {
    List<RunEvent> batch = new ArrayList<>();
    batch.add(new RunEvent(1, RunEvent.TYPING, EventJson.typing(true)));
    batch.add(new RunEvent(2, RunEvent.TYPING, EventJson.typing(false)));
    long id = 3;
    for (int i = 0; i < 10; i++) {
      batch.add(text(id++, "w" + i + " "));
      batch.add(progress(id++, i + 1));
    }
    SseFrames.Encoded e = SseFrames.encode(batch, ST);
    assertThat(new String(e.bytes(), StandardCharsets.UTF_8))
        .isEqualTo(
            "id: 2\nevent: typing\ndata: {\"on\":false}\n\n"
                + "id: 21\nevent: text\ndata: {\"t\":\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 \",\"st\":1764000000123}\n\n"
                + "id: 22\nevent: progress\ndata: {\"tokens\":10}\n\n");
    assertThat(e.events()).isEqualTo(3);
    assertThat(e.coalesced()).isEqualTo(19);
    assertThat(e.lastId()).isEqualTo(22);
    assertThat(e.done()).isFalse();
  }

  @Test
  void textAndReasoningKeepTheirOrderAndOtherEventsAreKept() {
    List<RunEvent> batch =
        List.of(
            new RunEvent(1, RunEvent.REASONING, EventJson.text("think ")),
            new RunEvent(2, RunEvent.REASONING, EventJson.text("more")),
            text(3, "A"),
            new RunEvent(4, RunEvent.RECOVERING, EventJson.recovering(1, "cut")),
            text(5, "B"),
            text(6, "C"),
            new RunEvent(7, RunEvent.DONE, "{\"state\":\"COMPLETED\"}"));
    SseFrames.Encoded e = SseFrames.encode(batch, ST);
    assertThat(new String(e.bytes(), StandardCharsets.UTF_8))
        .isEqualTo(
            "id: 2\nevent: reasoning\ndata: {\"t\":\"think more\"}\n\n"
                + "id: 3\nevent: text\ndata: {\"t\":\"A\",\"st\":1764000000123}\n\n"
                + "id: 4\nevent: recovering\ndata: {\"attempt\":1,\"cause\":\"cut\"}\n\n"
                + "id: 6\nevent: text\ndata: {\"t\":\"BC\",\"st\":1764000000123}\n\n"
                + "id: 7\nevent: done\ndata: {\"state\":\"COMPLETED\"}\n\n");
    assertThat(e.done()).isTrue();
  }

  @Test
  void onlyTextIsStampedWithTheSendTimeAndEveryStoredFieldIsKept() {
    List<RunEvent> batch =
        List.of(
            new RunEvent(1, RunEvent.TEXT, "{\"t\":\"x\",\"extra\":{\"a\":1}}"),
            new RunEvent(2, RunEvent.PROGRESS, "{\"tokens\":1}"),
            new RunEvent(3, RunEvent.TEXT, "{}"),
            new RunEvent(4, RunEvent.REASONING, EventJson.text("r")));
    assertThat(new String(SseFrames.encode(batch, 5).bytes(), StandardCharsets.UTF_8))
        .isEqualTo(
            "id: 1\nevent: text\ndata: {\"t\":\"x\",\"extra\":{\"a\":1},\"st\":5}\n\n"
                + "id: 2\nevent: progress\ndata: {\"tokens\":1}\n\n"
                + "id: 3\nevent: text\ndata: {\"st\":5}\n\n"
                + "id: 4\nevent: reasoning\ndata: {\"t\":\"r\"}\n\n");
    assertThat(EventJson.readT(EventJson.stamped(EventJson.text("a\"}b"), 7))).isEqualTo("a\"}b");
    assertThat(EventJson.stamped("not json", 7)).isEqualTo("not json");
  }
}
