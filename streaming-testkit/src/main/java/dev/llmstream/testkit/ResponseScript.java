package dev.llmstream.testkit;

import dev.llmstream.testkit.internal.ScriptSpec;
import dev.llmstream.testkit.internal.Transcripts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * What {@link FakeGroqServer} does for one request: the answer (text, reasoning, tool calls, or a
 * recorded transcript), how it is cut into chunks, how it is paced, and which fault to inject.
 *
 * <pre>{@code
 * // an answer, token by token, 300 ms to first token, then 50 tokens/s with bursts
 * ResponseScript.builder()
 *     .reasoning("The user greets me.")
 *     .text("Hello! How can I help?")
 *     .timeToFirstToken(Duration.ofMillis(300))
 *     .tokensPerSecond(50)
 *     .bursts(8, Duration.ofMillis(120))
 *     .build();
 *
 * // faults
 * ResponseScript.rateLimited(Duration.ofSeconds(2));                  // 429 + retry-after: 2
 * ResponseScript.httpError(503);
 * ResponseScript.builder().text(longText).disconnectAfter(5).build(); // cut after 5 events
 * ResponseScript.builder().text(longText).stallAfter(3).build();      // open, silent
 * ResponseScript.builder().text("x y z").errorEventAt(2).build();    // event: error, no [DONE]
 *
 * // a 100k-token answer generated lazily
 * ResponseScript.builder().generatedText(100_000, i -> " tok" + i).build();
 *
 * // a recorded transcript, event by event, optionally paced
 * ResponseScript.replay(Path.of("groq-llama33-70b-text-stop.sse"));
 * }</pre>
 *
 * <p><b>Chunks.</b> A "chunk" is one SSE event of the response body, counted from 1 (the first is the
 * {@code role} chunk, as Groq sends it). The fault positions ({@code disconnectAfter},
 * {@code stallAfter}, {@code malformedAt}, {@code errorEventAt}, {@code garbageAt}) use this count.
 *
 * <p><b>Pacing.</b> Unpaced by default (as fast as the socket takes it), so tests are fast. The
 * headers go out at once; the first token (the first chunk with text, reasoning or a tool call) goes
 * out {@link Builder#timeToFirstToken(Duration)} after the request, together with the content-less
 * {@code role} chunk before it (Groq sends the two back to back); each later chunk waits
 * {@code 1 / tokensPerSecond}, scaled by a random factor in {@code [1 - jitter, 1 + jitter]}
 * from a seeded generator; with bursts, {@code n} chunks go at that rate, then the pause. Time comes from
 * the server's {@link dev.llmstream.core.StreamScheduler}, so a {@link VirtualScheduler} makes pacing
 * deterministic.
 *
 * <p>Immutable and thread-safe; one script may answer many requests.
 */
public final class ResponseScript {
  private final ScriptSpec spec;

  private ResponseScript(ScriptSpec spec) {
    this.spec = spec;
  }

  /**
   * A new, empty builder (an empty answer that finishes with {@code stop}).
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder(new ScriptSpec());
  }

  /**
   * An unpaced answer with this text, cut per token.
   *
   * @param text the answer
   * @return the script
   */
  public static ResponseScript text(String text) {
    return builder().text(text).build();
  }

  /**
   * Answers {@code request} the way a model continues a prefilled answer: when the request ends with an
   * assistant message that is a prefix of {@code answer}, only the rest of {@code answer} is sent (the
   * prefill is not repeated); otherwise the whole answer. Use it to test stream recovery.
   *
   * @param answer the whole answer
   * @param request the request being answered
   * @return an unpaced script, cut per token
   * @see RecordedRequest#assistantPrefill()
   */
  public static ResponseScript continuing(String answer, RecordedRequest request) {
    return text(continuation(answer, request));
  }

  /** The part of {@code answer} that follows the request's prefill (all of it without one). */
  static String continuation(String answer, RecordedRequest request) {
    String prefill = request.assistantPrefill();
    return !prefill.isEmpty() && answer.startsWith(prefill) ? answer.substring(prefill.length()) : answer;
  }

  /**
   * An HTTP error with Groq's body and headers for this status ({@code 400}, {@code 401},
   * {@code 404}, {@code 413}, {@code 429}, {@code 498}, {@code 500}, {@code 502}, {@code 503}; other
   * statuses get a generic body).
   *
   * @param status the HTTP status, 400..599
   * @return the script
   * @throws IllegalArgumentException if {@code status} is not an error status
   */
  public static ResponseScript httpError(int status) {
    return builder().status(status).build();
  }

  /**
   * A 429 with Groq's rate-limit body and a {@code retry-after} header (whole seconds, rounded up).
   *
   * @param retryAfter the advised wait
   * @return the script
   */
  public static ResponseScript rateLimited(Duration retryAfter) {
    return builder().status(429).retryAfter(retryAfter).build();
  }

  /**
   * Serves a recorded SSE transcript, one event per chunk with the original event boundaries, unpaced.
   * Use {@link #toBuilder()} or {@link Builder#transcript(String)} to pace it or inject faults.
   *
   * @param file an {@code .sse} file (UTF-8)
   * @return the script
   * @throws UncheckedIOException if the file cannot be read
   */
  public static ResponseScript replay(Path file) {
    return builder().replay(file).build();
  }

  /**
   * A builder holding a copy of this script's settings.
   *
   * @return the builder
   */
  public Builder toBuilder() {
    return new Builder(spec.copy());
  }

  /** The settings, for the server; never modified. */
  ScriptSpec spec() {
    return spec;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ResponseScript[status=").append(spec.status);
    if (spec.transcript != null) {
      sb.append(", transcript=").append(spec.transcript.size()).append(" events");
    }
    if (spec.text != null) {
      sb.append(", text=").append(spec.text.length()).append(" chars");
    }
    if (spec.generatedTokens > 0) {
      sb.append(", generated=").append(spec.generatedTokens).append(" tokens");
    }
    return sb.append(']').toString();
  }

  /**
   * Builds a {@link ResponseScript}. Not thread-safe; {@link #build()} takes a snapshot, so the builder
   * can be changed and built again.
   */
  public static final class Builder {
    private final ScriptSpec spec;

    private Builder(ScriptSpec spec) {
      this.spec = spec;
    }

    /**
     * The answer's text ({@code delta.content}), streamed after any reasoning.
     *
     * @param text the text (any characters: quotes, newlines, emoji, control characters)
     * @return this builder
     * @throws NullPointerException if {@code text} is null
     */
    public Builder text(String text) {
      spec.text = Objects.requireNonNull(text, "text");
      return this;
    }

    /**
     * The model's reasoning ({@code delta.reasoning}), streamed before the text.
     *
     * @param reasoning the reasoning text
     * @return this builder
     * @throws NullPointerException if {@code reasoning} is null
     */
    public Builder reasoning(String reasoning) {
      spec.reasoning = Objects.requireNonNull(reasoning, "reasoning");
      return this;
    }

    /**
     * Adds a tool call, sent whole in one delta after the text (as Groq sends it). The finish reason
     * becomes {@code tool_calls} unless set.
     *
     * @param id the call id
     * @param name the function name
     * @param arguments the arguments, normally a JSON object
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder toolCall(String id, String name, String arguments) {
      spec.toolCalls.add(new ScriptSpec.ToolSpec(
          Objects.requireNonNull(id, "id"), Objects.requireNonNull(name, "name"),
          Objects.requireNonNull(arguments, "arguments")));
      return this;
    }

    /**
     * A long answer generated lazily, one chunk per token, after {@link #text(String)} if both are set:
     * nothing is held in memory, so 100,000 tokens cost no more than 10.
     *
     * @param tokens how many tokens, {@code >= 1}
     * @param tokenAt the text of token {@code i} (0-based), not empty; called on a server thread
     * @return this builder
     * @throws IllegalArgumentException if {@code tokens < 1}
     * @throws NullPointerException if {@code tokenAt} is null
     */
    public Builder generatedText(long tokens, LongFunction<String> tokenAt) {
      if (tokens < 1) {
        throw new IllegalArgumentException("tokens must be >= 1, was " + tokens);
      }
      spec.generatedTokens = tokens;
      spec.generator = Objects.requireNonNull(tokenAt, "tokenAt");
      return this;
    }

    /**
     * How text and reasoning are cut into chunks; default {@link Chunking#perToken()}.
     *
     * @param chunking the chunking
     * @return this builder
     * @throws NullPointerException if {@code chunking} is null
     */
    public Builder chunking(Chunking chunking) {
      spec.chunking = Objects.requireNonNull(chunking, "chunking");
      return this;
    }

    /**
     * The model name in each chunk; default {@code llama-3.3-70b-versatile}.
     *
     * @param model the model name
     * @return this builder
     * @throws NullPointerException if {@code model} is null
     */
    public Builder model(String model) {
      spec.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * The {@code finish_reason} of the last chunk; default {@code stop} ({@code tool_calls} when the
     * script has tool calls).
     *
     * @param finishReason the raw reason, such as {@code "length"}
     * @return this builder
     * @throws NullPointerException if {@code finishReason} is null
     */
    public Builder finishReason(String finishReason) {
      spec.finishReason = Objects.requireNonNull(finishReason, "finishReason");
      return this;
    }

    /**
     * The {@code prompt_tokens} reported in usage; default: the request body's length / 4.
     *
     * @param promptTokens the count, {@code >= 0}
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder promptTokens(long promptTokens) {
      if (promptTokens < 0) {
        throw new IllegalArgumentException("promptTokens must be >= 0, was " + promptTokens);
      }
      spec.promptTokens = promptTokens;
      return this;
    }

    /**
     * Replaces the answer with a recorded SSE transcript: each event (separated by a blank line) is one
     * chunk, byte for byte, with its original boundaries.
     *
     * @param sse the transcript text
     * @return this builder
     * @throws NullPointerException if {@code sse} is null
     * @throws IllegalArgumentException if it holds no event
     */
    public Builder transcript(String sse) {
      java.util.List<String> events = Transcripts.split(Objects.requireNonNull(sse, "sse"));
      if (events.isEmpty()) {
        throw new IllegalArgumentException("transcript holds no SSE event");
      }
      spec.transcript = events;
      return this;
    }

    /**
     * Replaces the answer with exactly these bytes, each element one write to the socket (one HTTP
     * chunk), neither framed nor parsed as SSE: for tests of a client's parser, which need an event cut
     * at any byte, invalid UTF-8 or a body that is not SSE at all. The chunk positions of
     * {@link #disconnectAfter(int)} and {@link #stallAfter(int)} count these writes (so
     * {@code disconnectAfter(writes.size())} cuts right after the last one, without ending the body);
     * pacing applies per write; the other faults do not apply.
     *
     * @param writes the writes, in order, each non-empty (the arrays are copied)
     * @return this builder
     * @throws NullPointerException if {@code writes} or an element is null
     * @throws IllegalArgumentException if an element is empty (an empty HTTP chunk would end the body)
     */
    public Builder rawBody(java.util.List<byte[]> writes) {
      java.util.List<byte[]> copy = new java.util.ArrayList<>(writes.size());
      for (byte[] w : writes) {
        Objects.requireNonNull(w, "writes element");
        if (w.length == 0) {
          throw new IllegalArgumentException("rawBody: write " + copy.size() + " is empty");
        }
        copy.add(w.clone());
      }
      spec.rawWrites = java.util.List.copyOf(copy);
      return this;
    }

    /**
     * Same as {@link #transcript(String)} with the content of {@code file}.
     *
     * @param file an {@code .sse} file (UTF-8)
     * @return this builder
     * @throws UncheckedIOException if the file cannot be read
     */
    public Builder replay(Path file) {
      Objects.requireNonNull(file, "file");
      try {
        return transcript(Files.readString(file, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read transcript " + file, e);
      }
    }

    /**
     * Time from the request to the first token: at this time after the request the stream's first text
     * (or reasoning, or tool call) is written, so on a {@link VirtualScheduler} a client sees the first
     * text at exactly this virtual time, not one token gap later. The {@code role} chunk that opens the
     * stream goes out at the same time, just before it. A replayed transcript whose first chunk carries
     * content has that chunk sent at this time. Default zero.
     *
     * @param ttft the delay, not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder timeToFirstToken(Duration ttft) {
      spec.ttftNanos = nonNegative(ttft, "ttft");
      return this;
    }

    /**
     * The rate of chunks after the first; {@code 0} (the default) sends them as fast as possible.
     *
     * @param tokensPerSecond the rate, {@code >= 0}
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder tokensPerSecond(double tokensPerSecond) {
      if (!(tokensPerSecond >= 0) || Double.isInfinite(tokensPerSecond)) {
        throw new IllegalArgumentException("tokensPerSecond must be finite and >= 0, was " + tokensPerSecond);
      }
      spec.tokensPerSecond = tokensPerSecond;
      return this;
    }

    /**
     * Random variation of each gap between chunks: a gap is scaled by a factor drawn uniformly from
     * {@code [1 - jitter, 1 + jitter]}; default {@code 0}.
     *
     * @param jitter the fraction, {@code 0..1}
     * @return this builder
     * @throws IllegalArgumentException if outside {@code 0..1}
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter <= 1)) {
        throw new IllegalArgumentException("jitter must be within 0..1, was " + jitter);
      }
      spec.jitter = jitter;
      return this;
    }

    /**
     * Sends chunks in bursts, like Groq: {@code chunksPerBurst} at the token rate, then {@code pause}.
     *
     * @param chunksPerBurst chunks per burst, {@code >= 1}
     * @param pause the pause between bursts
     * @return this builder
     * @throws IllegalArgumentException if {@code chunksPerBurst < 1} or {@code pause} is negative
     */
    public Builder bursts(int chunksPerBurst, Duration pause) {
      if (chunksPerBurst < 1) {
        throw new IllegalArgumentException("chunksPerBurst must be >= 1, was " + chunksPerBurst);
      }
      spec.burstPauseNanos = nonNegative(pause, "pause");
      spec.burstSize = chunksPerBurst;
      return this;
    }

    /**
     * The seed of the jitter and of the ids ({@code chatcmpl-…}, {@code req_…}); default: derived from
     * the request's position, so runs are repeatable either way.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      spec.seed = seed;
      return this;
    }

    /**
     * Slow-loris headers: the status line and each header line are written separately, {@code perLine}
     * apart.
     *
     * @param perLine the delay before each line
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder slowHeaders(Duration perLine) {
      spec.headerLineDelayNanos = nonNegative(perLine, "perLine");
      return this;
    }

    /**
     * Sends {@code count} SSE comment lines ({@code : keep-alive}), {@code interval} apart, after the
     * headers and before the time to first token starts (a keep-alive storm).
     *
     * @param count the number of comments, {@code >= 0}
     * @param interval the delay before each comment
     * @return this builder
     * @throws IllegalArgumentException if {@code count < 0} or {@code interval} is negative
     */
    public Builder keepAliveComments(int count, Duration interval) {
      if (count < 0) {
        throw new IllegalArgumentException("count must be >= 0, was " + count);
      }
      spec.keepAliveIntervalNanos = nonNegative(interval, "interval");
      spec.keepAliveCount = count;
      return this;
    }

    /**
     * Answers with this HTTP status instead of a stream. Error statuses get Groq's error body
     * ({@code {"error":{"message","type","code"}}}) and headers ({@code x-request-id},
     * {@code x-ratelimit-*}, and {@code retry-after} for 429/498/503). A redirect (300..399) gets the same
     * body; give it a {@code location} with {@link #header(String, String)}.
     *
     * @param status 200, a redirect 300..399, or an error status 400..599
     * @return this builder
     * @throws IllegalArgumentException for other values
     */
    public Builder status(int status) {
      if (status != 200 && (status < 300 || status > 599)) {
        throw new IllegalArgumentException("status must be 200, 300..399 or 400..599, was " + status);
      }
      spec.status = status;
      return this;
    }

    /**
     * The error body's fields, for an error {@link #status(int)}.
     *
     * @param type the {@code error.type}, such as {@code invalid_request_error}
     * @param code the {@code error.code}, such as {@code invalid_api_key}
     * @param message the {@code error.message}
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder errorBody(String type, String code, String message) {
      spec.errorType = Objects.requireNonNull(type, "type");
      spec.errorCode = Objects.requireNonNull(code, "code");
      spec.errorMessage = Objects.requireNonNull(message, "message");
      return this;
    }

    /**
     * The error response's body, verbatim (for bodies that are not Groq's shape, or not JSON).
     *
     * @param body the body
     * @return this builder
     * @throws NullPointerException if {@code body} is null
     */
    public Builder rawErrorBody(String body) {
      spec.rawErrorBody = Objects.requireNonNull(body, "body");
      return this;
    }

    /**
     * Adds or replaces a response header (names are sent in lower case).
     *
     * @param name the header name
     * @param value the value
     * @return this builder
     * @throws IllegalArgumentException if the name or value contains CR or LF
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isBlank() || name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || name.indexOf(':') >= 0
          || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("invalid header: " + name);
      }
      spec.headers.put(name.toLowerCase(Locale.ROOT), value);
      return this;
    }

    /**
     * Sets the {@code retry-after} header, in whole seconds rounded up.
     *
     * @param retryAfter the advised wait
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder retryAfter(Duration retryAfter) {
      long nanos = nonNegative(retryAfter, "retryAfter");
      long seconds = (nanos + 999_999_999L) / 1_000_000_000L;
      return header("retry-after", Long.toString(seconds));
    }

    /**
     * Cuts the connection (no terminating chunk) right after chunk {@code n}; {@code 0} cuts right
     * after the headers.
     *
     * @param n the number of chunks to send first, {@code >= 0}
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder disconnectAfter(int n) {
      spec.disconnectAfter = atLeast(n, 0, "n");
      return this;
    }

    /**
     * Stops sending after chunk {@code n} ({@code 0}: after the headers) and keeps the connection open,
     * silent, until the client or the server closes it.
     *
     * @param n the number of chunks to send first, {@code >= 0}
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder stallAfter(int n) {
      spec.stallAfter = atLeast(n, 0, "n");
      return this;
    }

    /**
     * Like {@link #stallAfter(int)}, but the stalled response keeps sending SSE comments
     * ({@code : keep-alive}), one every {@code interval}, until the client closes it: a comment-only tail,
     * as a proxy or a stuck server sends (alive, but no content).
     *
     * @param n the number of chunks to send first, {@code >= 0}
     * @param interval the delay before each comment, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is negative or {@code interval} not positive
     */
    public Builder commentsAfter(int n, Duration interval) {
      long nanos = nonNegative(interval, "interval");
      if (nanos == 0) {
        throw new IllegalArgumentException("interval must be positive");
      }
      stallAfter(n);
      spec.stallCommentNanos = nanos;
      return this;
    }

    /**
     * Sends chunk {@code n} with broken JSON (cut in the middle of a string); the stream goes on after it.
     *
     * @param n the chunk, {@code >= 1}
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Builder malformedAt(int n) {
      spec.malformedAt = atLeast(n, 1, "n");
      return this;
    }

    /**
     * Sends Groq's mid-stream {@code event: error} in place of chunk {@code n}, then ends the response
     * without {@code [DONE]} (HTTP status stays 200), with a default 503-like error object.
     *
     * @param n the chunk, {@code >= 1}
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Builder errorEventAt(int n) {
      spec.errorEventAt = atLeast(n, 1, "n");
      return this;
    }

    /**
     * Like {@link #errorEventAt(int)} with this error object
     * ({@code {"error":{"message","type","code","status_code"}}}).
     *
     * @param n the chunk, {@code >= 1}
     * @param type the error type
     * @param code the error code
     * @param message the message
     * @param statusCode the {@code status_code} inside the error
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 1}
     * @throws NullPointerException if a string is null
     */
    public Builder errorEventAt(int n, String type, String code, String message, int statusCode) {
      errorEventAt(n);
      spec.errorEventType = Objects.requireNonNull(type, "type");
      spec.errorEventCode = Objects.requireNonNull(code, "code");
      spec.errorEventMessage = Objects.requireNonNull(message, "message");
      spec.errorEventStatus = statusCode;
      return this;
    }

    /**
     * Writes {@code bytes} into the body, verbatim, just before chunk {@code n} (the stream goes on).
     *
     * @param n the chunk, {@code >= 1}
     * @param bytes the garbage, not empty
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 1} or {@code bytes} is empty
     */
    public Builder garbageAt(int n, byte[] bytes) {
      Objects.requireNonNull(bytes, "bytes");
      if (bytes.length == 0) {
        throw new IllegalArgumentException("bytes must not be empty");
      }
      spec.garbageAt = atLeast(n, 1, "n");
      spec.garbage = bytes.clone();
      return this;
    }

    /**
     * Builds the script from a snapshot of the settings.
     *
     * @return the script
     */
    public ResponseScript build() {
      return new ResponseScript(spec.copy());
    }

    private static long nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, was " + d);
      }
      return d.toNanos();
    }

    private static int atLeast(int n, int min, String name) {
      if (n < min) {
        throw new IllegalArgumentException(name + " must be >= " + min + ", was " + n);
      }
      return n;
    }
  }
}
