package dev.llmstream.examples.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmstream.core.CancellationToken;
import dev.llmstream.core.ChatProvider;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.ChatResponse;
import dev.llmstream.core.Progress;
import dev.llmstream.core.StreamException;
import dev.llmstream.core.UiConfig;
import dev.llmstream.core.UiSink;
import dev.llmstream.core.UiStreams;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One answer being streamed for a browser session: the stream runs through the library's
 * {@code StreamBuffer} into a {@link UiSink} that appends each batch to a {@link RunLog}, from which any
 * number of browser connections read (and resume).
 */
final class AnswerRun {
  private final String id;
  private final ChatSession session;
  private final ObjectMapper json;
  private final RunLog log = new RunLog();
  private final CancellationToken token = CancellationToken.create();
  private final AtomicBoolean finished = new AtomicBoolean();

  AnswerRun(String id, ChatSession session, ObjectMapper json) {
    this.id = id;
    this.session = session;
    this.json = json;
  }

  String id() {
    return id;
  }

  RunLog log() {
    return log;
  }

  boolean isFinished() {
    return finished.get();
  }

  void start(ChatProvider provider, ChatRequest request) {
    // The sink only appends to the log (non-blocking), so it may run on the delivering thread.
    UiStreams.connect(provider.stream(request, token), new LogSink(), Runnable::run, UiConfig.defaults());
  }

  /** Stops the answer: the model's HTTP call is aborted and the partial answer kept. */
  void stop() {
    token.cancel();
  }

  private void emit(String type, ObjectNode data) {
    try {
      if (!log.append(type, json.writeValueAsString(data)) && !type.equals("done")) {
        stop(); // the log is full: end the answer rather than grow without bound
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void end(String state, ChatResponse r, @Nullable StreamException error) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    ObjectNode done = json.createObjectNode().put("state", state);
    done.put("finishReason", r.finishReason() == null ? null : r.finishReason().wireName());
    if (error != null) {
      done.putObject("error")
          .put("type", error.kind().name())
          .put("message", error.getMessage())
          .put("retryable", error.isRetryable());
    } else {
      done.putNull("error");
    }
    if (r.usage() != null) {
      done.put("summary", r.usage().completionTokens() + " tokens");
    }
    session.finished(
        this,
        new ChatSession.Turn(
            "assistant",
            r.text(),
            r.reasoning(),
            state,
            r.finishReason() == null ? null : r.finishReason().wireName(),
            error == null ? null : error.kind().name(),
            error == null ? null : error.getMessage()));
    emit("done", done);
  }

  private final class LogSink implements UiSink {
    @Override
    public void onTyping(boolean typing) {
      if (typing) {
        emit("typing", json.createObjectNode());
      }
    }

    @Override
    public void onText(CharSequence batch, CharSequence fullText) {
      emit("text", json.createObjectNode().put("t", batch.toString()));
    }

    @Override
    public void onReasoning(CharSequence batch, CharSequence fullReasoning) {
      emit("reasoning", json.createObjectNode().put("t", batch.toString()));
    }

    @Override
    public void onProgress(Progress p) {
      ObjectNode n = json.createObjectNode().put("tokens", p.tokens()).put("tokensPerSecond", p.tokensPerSecond());
      if (p.percentOfMaxTokens().isPresent()) {
        n.put("percentOfMax", p.percentOfMaxTokens().getAsDouble());
      } else {
        n.putNull("percentOfMax");
      }
      emit("progress", n);
    }

    @Override
    public void onRecovering(int attempt, String cause) {
      emit("recovering", json.createObjectNode().put("attempt", attempt).put("cause", cause));
    }

    @Override
    public void onReplaced(CharSequence text, CharSequence reasoning) {
      emit("replaced", json.createObjectNode().put("text", text.toString()).put("reasoning", reasoning.toString()));
    }

    @Override
    public void onCompleted(ChatResponse response) {
      end("COMPLETED", response, null);
    }

    @Override
    public void onCancelled(ChatResponse partial) {
      end("CANCELLED", partial, null);
    }

    @Override
    public void onFailed(StreamException error, ChatResponse partial) {
      end("FAILED", partial, error);
    }
  }
}
