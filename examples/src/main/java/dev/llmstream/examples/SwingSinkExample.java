package dev.llmstream.examples;

import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.UiConnection;
import java.awt.BorderLayout;
import java.awt.GraphicsEnvironment;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import javax.swing.JButton;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;
import javax.swing.JTextField;
import javax.swing.SwingUtilities;

/** {@code swing}: a desktop window whose answer area is fed by {@link SwingTextAreaSink}. */
final class SwingSinkExample {
  private SwingSinkExample() {}

  static int run(List<String> argv, PrintStream out) throws Exception {
    if (GraphicsEnvironment.isHeadless()) {
      out.println("No display here: try the 'web' or 'chat' example instead.");
      return 1;
    }
    Args args = new Args(argv, Set.of("--base-url", "--api-key", "--model"), Set.of("--allow-insecure-http"));
    Endpoint endpoint =
        Endpoint.open(args.get("--base-url"), args.get("--api-key"), args.get("--model"), args.has("--allow-insecure-http"));
    SwingUtilities.invokeLater(() -> show(endpoint));
    return -1; // the window keeps the JVM alive; closing it exits
  }

  private static void show(Endpoint endpoint) {
    JFrame frame = new JFrame("llmstream · Swing sink");
    JTextArea area = new JTextArea(24, 80);
    area.setLineWrap(true);
    area.setWrapStyleWord(true);
    area.setEditable(false);
    JLabel status = new JLabel(endpoint.description());
    JTextField prompt = new JTextField("Explain streaming in one paragraph.");
    JButton send = new JButton("Send");
    JButton stop = new JButton("Stop");
    CancellationToken[] current = {CancellationToken.create()};
    send.addActionListener(
        e -> {
          current[0].cancel();
          current[0] = CancellationToken.create();
          UiConnection.connect(
              endpoint.provider().stream(ChatRequest.ofUser(prompt.getText()), current[0]),
              new SwingTextAreaSink(area, status),
              SwingUtilities::invokeLater);
        });
    stop.addActionListener(e -> current[0].cancel());
    JPanel top = new JPanel(new BorderLayout());
    top.add(prompt, BorderLayout.CENTER);
    JPanel buttons = new JPanel();
    buttons.add(send);
    buttons.add(stop);
    top.add(buttons, BorderLayout.EAST);
    frame.add(top, BorderLayout.NORTH);
    frame.add(new JScrollPane(area), BorderLayout.CENTER);
    frame.add(status, BorderLayout.SOUTH);
    frame.setDefaultCloseOperation(JFrame.EXIT_ON_CLOSE);
    frame.pack();
    frame.setVisible(true);
  }
}
