package dev.llmstream.web.internal;

import dev.llmstream.web.spi.RunEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The pure Server-Sent Events encoder: run events to {@code text/event-stream} bytes, coalescing a
 * batch that piled up for a connection that fell behind (see {@link #encode(List, long)}), and stamping
 * each {@code text} event with the time it is sent ({@code "st"}). No I/O, no state; thread-safe.
 */
public final class SseFrames {
  /** The first frame of every connection: the browser's reconnect delay. */
  public static final byte[] PREAMBLE = "retry: 1000\n\n".getBytes(StandardCharsets.US_ASCII);
  /** The heartbeat comment. */
  public static final byte[] HEARTBEAT = ": hb\n\n".getBytes(StandardCharsets.US_ASCII);

  private SseFrames() {
    throw new AssertionError("no instances");
  }

  /** The bytes of a batch and how many events coalescing saved. */
  public record Encoded(byte[] bytes, int events, int coalesced, boolean done, long lastId) {}

  /**
   * Encodes a batch. A batch of more than one event means the connection fell behind, so it is shrunk:
   * a {@code progress} or {@code typing} event followed by a later one of its type in the batch is left
   * out (the later one supersedes it), then consecutive {@code text} (and consecutive {@code reasoning})
   * events are merged into one carrying the id of the last. Every event written with id X covers all the
   * content of the log up to X, so resuming after any written id loses and repeats nothing.
   *
   * <p>Every {@code text} event written carries {@code "st"}: {@code sentAtMillis}, the relay's wall
   * clock when it sends the batch (not the time the answer produced it: a replay after a reload is
   * stamped anew), from which the browser measures display lag.
   *
   * @param batch events in id order
   * @param sentAtMillis the send time, epoch milliseconds
   * @return the frame bytes
   */
  public static Encoded encode(List<RunEvent> batch, long sentAtMillis) {
    List<RunEvent> kept = withoutSuperseded(batch);
    StringBuilder sb = new StringBuilder(128 * kept.size());
    int written = 0;
    boolean done = false;
    int i = 0;
    while (i < kept.size()) {
      RunEvent e = kept.get(i);
      int j = i + 1;
      if (isMergeable(e)) {
        while (j < kept.size() && kept.get(j).type().equals(e.type())) {
          j++;
        }
      }
      if (j - i > 1) {
        StringBuilder t = new StringBuilder();
        for (int k = i; k < j; k++) {
          t.append(EventJson.readT(kept.get(k).data()));
        }
        String merged = EventJson.text(t);
        append(sb, kept.get(j - 1).id(), e.type(), isText(e) ? EventJson.stamped(merged, sentAtMillis) : merged);
      } else {
        append(sb, e.id(), e.type(), isText(e) ? EventJson.stamped(e.data(), sentAtMillis) : e.data());
      }
      done |= e.isDone();
      written++;
      i = j;
    }
    long last = batch.isEmpty() ? 0 : batch.get(batch.size() - 1).id();
    return new Encoded(
        sb.toString().getBytes(StandardCharsets.UTF_8), written, batch.size() - written, done, last);
  }

  private static List<RunEvent> withoutSuperseded(List<RunEvent> batch) {
    if (batch.size() < 2) {
      return batch;
    }
    boolean laterProgress = false;
    boolean laterTyping = false;
    ArrayList<RunEvent> kept = new ArrayList<>(batch.size());
    for (int i = batch.size() - 1; i >= 0; i--) {
      RunEvent e = batch.get(i);
      if (e.type().equals(RunEvent.PROGRESS)) {
        if (laterProgress) {
          continue;
        }
        laterProgress = true;
      } else if (e.type().equals(RunEvent.TYPING)) {
        if (laterTyping) {
          continue;
        }
        laterTyping = true;
      }
      kept.add(e);
    }
    Collections.reverse(kept);
    return kept;
  }

  private static boolean isText(RunEvent e) {
    return e.type().equals(RunEvent.TEXT);
  }

  private static boolean isMergeable(RunEvent e) {
    return e.type().equals(RunEvent.TEXT) || e.type().equals(RunEvent.REASONING);
  }

  private static void append(StringBuilder sb, long id, String type, String data) {
    sb.append("id: ").append(id).append('\n');
    sb.append("event: ").append(type).append('\n');
    sb.append("data: ").append(data).append("\n\n");
  }
}
