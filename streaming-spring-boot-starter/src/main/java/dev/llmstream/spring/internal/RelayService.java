package dev.llmstream.spring.internal;

import dev.llmstream.core.ChatRequest;
import dev.llmstream.spring.ChatRequestFactory;
import dev.llmstream.web.AnswerRuns;
import dev.llmstream.web.RunOptions;
import dev.llmstream.web.RunResult;
import dev.llmstream.web.StopResult;
import dev.llmstream.web.spi.RunStoreException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the MVC and WebFlux endpoints share, so each adapter only moves bytes: checks the chat body,
 * starts and stops runs, and turns the outcome into a status and a JSON-ready body (the {@code web}
 * example's contract: 400 bad input, 409 a busy slot or owner limit, 404 another owner's run). Thread-safe;
 * never blocks.
 */
public final class RelayService {
  private static final Logger LOG = LoggerFactory.getLogger(RelayService.class);

  private final AnswerRuns runs;
  private final ChatRequestFactory factory;
  private final RunOutcomes outcomes;
  private final int maxMessageChars;
  private final @Nullable Duration deadline;

  /**
   * Creates the service.
   *
   * @param runs the runs
   * @param factory builds the model request from a message
   * @param outcomes records how runs end
   * @param maxMessageChars the longest message accepted
   * @param deadline the longest a run may take, or null
   */
  public RelayService(
      AnswerRuns runs,
      ChatRequestFactory factory,
      RunOutcomes outcomes,
      int maxMessageChars,
      @Nullable Duration deadline) {
    this.runs = runs;
    this.factory = factory;
    this.outcomes = outcomes;
    this.maxMessageChars = maxMessageChars;
    this.deadline = deadline;
  }

  /**
   * An HTTP reply: a status and a body for a JSON encoder.
   *
   * @param status the HTTP status
   * @param body the body
   */
  public record Reply(int status, Map<String, Object> body) {
    static Reply error(int status, String message) {
      return new Reply(status, Map.of("error", message));
    }
  }

  /**
   * The runs behind the endpoints.
   *
   * @return the runs
   */
  public AnswerRuns runs() {
    return runs;
  }

  /**
   * Starts an answer to {@code message} in conversation slot {@code chat}.
   *
   * @param owner the caller's owner
   * @param message the message from the body, or null when missing
   * @param chat the slot from the body, or null for the default
   * @return {@code 200 {"run": id}}, 400, 409 or 500
   */
  public CompletionStage<Reply> chat(String owner, @Nullable String message, @Nullable String chat) {
    if (message == null || message.isBlank()) {
      return done(Reply.error(400, "'message' is required: send {\"message\": \"your question\"}"));
    }
    if (message.length() > maxMessageChars) {
      return done(Reply.error(400, "'message' is too long: at most " + maxMessageChars + " characters"));
    }
    String slot = chat == null ? RunOptions.DEFAULT_SLOT : chat;
    if (!RunOptions.isValidSlot(slot)) {
      return done(Reply.error(400, "'chat' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'"));
    }
    ChatRequest request = factory.create(owner, slot, message);
    RunOptions.Builder options = RunOptions.builder().slot(slot).listener(this::finished);
    if (deadline != null) {
      options.deadline(deadline);
    }
    CompletionStage<String> started;
    try {
      started = runs.start(owner, request, options.build());
    } catch (RuntimeException e) {
      notify(() -> factory.refused(owner, slot));
      throw e;
    }
    return started
        .handle(
            (id, err) -> {
              if (err == null) {
                notify(() -> factory.started(owner, slot, id));
                return new Reply(200, Map.of("run", id));
              }
              notify(() -> factory.refused(owner, slot));
              Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
              if (cause instanceof RunStoreException rs
                  && (rs.reason() == RunStoreException.Reason.SLOT_BUSY
                      || rs.reason() == RunStoreException.Reason.OWNER_LIMIT)) {
                return Reply.error(409, rs.getMessage());
              }
              LOG.warn("Starting an answer failed", cause);
              return Reply.error(500, "the answer could not be started; try again");
            });
  }

  /**
   * Stops a run.
   *
   * @param owner the caller's owner
   * @param runId the run
   * @return {@code 200 {"stopped": true|false}} or 404 for an unknown or another owner's run
   */
  public CompletionStage<Reply> stop(String owner, String runId) {
    return runs.stop(owner, runId)
        .handle(
            (r, err) -> {
              if (err != null) {
                LOG.warn("Stopping an answer failed", err);
                return Reply.error(500, "the answer could not be stopped; try again");
              }
              return r == StopResult.NOT_FOUND
                  ? Reply.error(404, "no such answer")
                  : new Reply(200, Map.of("stopped", r == StopResult.STOPPING));
            });
  }

  private void finished(RunResult result) {
    outcomes.record(result);
    notify(() -> factory.finished(result));
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("A ChatRequestFactory notification failed", e);
    }
  }

  private static CompletionStage<Reply> done(Reply r) {
    return CompletableFuture.completedFuture(r);
  }
}
