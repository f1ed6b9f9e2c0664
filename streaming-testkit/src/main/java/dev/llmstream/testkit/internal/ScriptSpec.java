package dev.llmstream.testkit.internal;

import dev.llmstream.testkit.Chunking;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one scripted response. Mutable while a {@code ResponseScript.Builder} fills it; the
 * built script holds a private copy that is never changed again, so a built spec is safe to share.
 */
public final class ScriptSpec {
  /** A tool call sent whole in one delta, as Groq does. */
  public record ToolSpec(String id, String name, String arguments) {}

  public int status = 200;
  public @Nullable String errorType;
  public @Nullable String errorCode;
  public @Nullable String errorMessage;
  public @Nullable String rawErrorBody;
  /** A plain JSON response with {@link #status} instead of a stream (the testkit's control endpoints). */
  public @Nullable String jsonBody;
  public Map<String, String> headers = new LinkedHashMap<>();

  public String model = "llama-3.3-70b-versatile";
  public @Nullable String reasoning;
  public @Nullable String text;
  public List<ToolSpec> toolCalls = new ArrayList<>();
  public long generatedTokens;
  public @Nullable LongFunction<String> generator;
  public Chunking chunking = Chunking.perToken();
  public @Nullable String finishReason;
  public long promptTokens = -1;
  public @Nullable List<String> transcript;
  /** The body as exact writes (see {@code ResponseScript.Builder.rawBody}); arrays never changed. */
  public @Nullable List<byte[]> rawWrites;

  public long ttftNanos;
  public double tokensPerSecond;
  public double jitter;
  public int burstSize;
  public long burstPauseNanos;
  public @Nullable Long seed;
  public long headerLineDelayNanos;
  public int keepAliveCount;
  public long keepAliveIntervalNanos;

  public int disconnectAfter = -1;
  public int stallAfter = -1;
  public long stallCommentNanos;
  public int malformedAt = -1;
  public int errorEventAt = -1;
  public String errorEventType = "internal_server_error";
  public String errorEventCode = "service_unavailable";
  public String errorEventMessage = "The service is temporarily unavailable, please retry.";
  public int errorEventStatus = 503;
  public int garbageAt = -1;
  public byte[] garbage = new byte[0];

  public ScriptSpec() {}

  /** A deep copy (lists and maps copied; strings and functions shared). */
  public ScriptSpec copy() {
    ScriptSpec c = new ScriptSpec();
    c.status = status;
    c.errorType = errorType;
    c.errorCode = errorCode;
    c.errorMessage = errorMessage;
    c.rawErrorBody = rawErrorBody;
    c.jsonBody = jsonBody;
    c.headers = new LinkedHashMap<>(headers);
    c.model = model;
    c.reasoning = reasoning;
    c.text = text;
    c.toolCalls = new ArrayList<>(toolCalls);
    c.generatedTokens = generatedTokens;
    c.generator = generator;
    c.chunking = chunking;
    c.finishReason = finishReason;
    c.promptTokens = promptTokens;
    c.transcript = transcript == null ? null : List.copyOf(transcript);
    c.rawWrites = rawWrites == null ? null : List.copyOf(rawWrites);
    c.ttftNanos = ttftNanos;
    c.tokensPerSecond = tokensPerSecond;
    c.jitter = jitter;
    c.burstSize = burstSize;
    c.burstPauseNanos = burstPauseNanos;
    c.seed = seed;
    c.headerLineDelayNanos = headerLineDelayNanos;
    c.keepAliveCount = keepAliveCount;
    c.keepAliveIntervalNanos = keepAliveIntervalNanos;
    c.disconnectAfter = disconnectAfter;
    c.stallAfter = stallAfter;
    c.stallCommentNanos = stallCommentNanos;
    c.malformedAt = malformedAt;
    c.errorEventAt = errorEventAt;
    c.errorEventType = errorEventType;
    c.errorEventCode = errorEventCode;
    c.errorEventMessage = errorEventMessage;
    c.errorEventStatus = errorEventStatus;
    c.garbageAt = garbageAt;
    c.garbage = garbage.clone();
    return c;
  }
}
