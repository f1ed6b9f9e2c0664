package dev.llmstream.web.internal;

import dev.llmstream.web.spi.RunEvent;
import java.util.List;

/**
 * What a run's stored log adds up to: the last id, the number of events and characters, and the answer
 * text and reasoning as a reader would have them ({@code text} appends, {@code replaced} resets). Used to
 * continue a run on another instance. Not thread-safe: one fold at a time.
 */
final class LogFold {
  long lastId;
  int events;
  long chars;
  final StringBuilder text = new StringBuilder();
  final StringBuilder reasoning = new StringBuilder();

  void add(List<RunEvent> batch) {
    for (RunEvent e : batch) {
      lastId = e.id();
      events++;
      chars += e.data().length();
      switch (e.type()) {
        case RunEvent.TEXT -> text.append(EventJson.readT(e.data()));
        case RunEvent.REASONING -> reasoning.append(EventJson.readT(e.data()));
        case RunEvent.REPLACED -> {
          text.setLength(0);
          text.append(EventJson.readField(e.data(), "text"));
          reasoning.setLength(0);
          reasoning.append(EventJson.readField(e.data(), "reasoning"));
        }
        default -> { }
      }
    }
  }
}
