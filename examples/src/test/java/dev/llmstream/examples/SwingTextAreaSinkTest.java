package dev.llmstream.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.FinishReason;
import dev.llmstream.core.StreamEvent;
import dev.llmstream.core.TokenStream;
import dev.llmstream.core.UiConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.swing.JLabel;
import javax.swing.JTextArea;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.Test;

/** The README's custom sink: a Swing text area updated on the Event Dispatch Thread (headless is fine). */
class SwingTextAreaSinkTest {

  @Test
  void theAnswerAppearsInTheTextAreaAndEveryCallRunsOnTheEdt() throws Exception {
    System.setProperty("java.awt.headless", "true");
    JTextArea area = new JTextArea("old text");
    JLabel status = new JLabel();
    List<Boolean> onEdt = new ArrayList<>();
    List<StreamEvent> events = new ArrayList<>();
    events.add(new StreamEvent.Waiting(null));
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      events.add(new StreamEvent.TextDelta("word" + i + " "));
      expected.append("word").append(i).append(' ');
    }
    events.add(StreamEvent.Finish.of(FinishReason.STOP));
    SwingTextAreaSink sink = new SwingTextAreaSink(area, status);
    UiConnection c =
        UiConnection.connect(
            TokenStream.of(events, CancellationToken.create()),
            sink,
            r ->
                SwingUtilities.invokeLater(
                    () -> {
                      onEdt.add(SwingUtilities.isEventDispatchThread());
                      r.run();
                    }));
    c.done().get(10, TimeUnit.SECONDS);
    String[] shown = new String[2];
    SwingUtilities.invokeAndWait(
        () -> {
          shown[0] = area.getText();
          shown[1] = status.getText();
        });
    assertThat(shown[0]).isEqualTo(expected.toString());
    assertThat(shown[1]).isEqualTo("Done.");
    assertThat(onEdt).isNotEmpty().doesNotContain(false);
  }
}
