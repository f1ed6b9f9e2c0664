package dev.llmstream.web.internal;

import dev.llmstream.web.spi.RunEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The pure Server-Sent Events encoder: run events to {@code text/event-stream} bytes, coalescing
 * consecutive {@code text} (and consecutive {@code reasoning}) events of one batch into one event whose
 * id is the last one it covers. No I/O, no state; thread-safe.
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
   * Encodes a batch.
   *
   * @param batch events in id order
   * @return the frame bytes
   */
  public static Encoded encode(List<RunEvent> batch) {
    StringBuilder sb = new StringBuilder(128 * batch.size());
    int written = 0;
    boolean done = false;
    int i = 0;
    while (i < batch.size()) {
      RunEvent e = batch.get(i);
      int j = i + 1;
      if (isMergeable(e)) {
        while (j < batch.size() && batch.get(j).type().equals(e.type())) {
          j++;
        }
      }
      if (j - i > 1) {
        StringBuilder t = new StringBuilder();
        for (int k = i; k < j; k++) {
          t.append(EventJson.readT(batch.get(k).data()));
        }
        append(sb, batch.get(j - 1).id(), e.type(), EventJson.text(t));
      } else {
        append(sb, e.id(), e.type(), e.data());
      }
      done |= e.isDone();
      written++;
      i = j;
    }
    long last = batch.isEmpty() ? 0 : batch.get(batch.size() - 1).id();
    return new Encoded(
        sb.toString().getBytes(StandardCharsets.UTF_8), written, batch.size() - written, done, last);
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
