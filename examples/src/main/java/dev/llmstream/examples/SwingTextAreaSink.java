package dev.llmstream.examples;

import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.Progress;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.UiSink;
import javax.swing.JLabel;
import javax.swing.JTextArea;

/**
 * A custom sink: shows an answer in a Swing {@link JTextArea}. Connect it with
 * {@code UiConnection.connect(stream, new SwingTextAreaSink(area, status), SwingUtilities::invokeLater)}, so
 * every call below runs on the Event Dispatch Thread, one at a time, in order, and never after the answer
 * ended.
 */
public final class SwingTextAreaSink implements UiSink {
  private final JTextArea area;
  private final JLabel status;

  /**
   * Creates the sink.
   *
   * @param area where the answer goes (cleared on start)
   * @param status a one-line status label
   */
  public SwingTextAreaSink(JTextArea area, JLabel status) {
    this.area = area;
    this.status = status;
  }

  @Override
  public void onStart() {
    area.setText("");
  }

  @Override
  public void onTyping(boolean typing) {
    status.setText(typing ? "Assistant is typing…" : "");
  }

  @Override
  public void onText(CharSequence batch, CharSequence fullText) {
    area.append(batch.toString()); // one append per batch, not per token
  }

  @Override
  public void onProgress(Progress p) {
    status.setText(p.tokens() + " tokens · " + Math.round(p.tokensPerSecond()) + " tok/s");
  }

  @Override
  public void onCompleted(ChatResponse response) {
    status.setText("Done.");
  }

  @Override
  public void onCancelled(ChatResponse partial) {
    status.setText("Stopped; the partial answer stays.");
  }

  @Override
  public void onFailed(StreamException error, ChatResponse partial) {
    status.setText("Failed: " + error.getMessage());
  }
}
