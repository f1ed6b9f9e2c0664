package dev.llmstream.testkit.internal;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Turns a {@link ScriptSpec} into the {@link Step}s of one HTTP response, lazily: the answer is cut,
 * framed and paced one step at a time, so a 100k-token answer costs the same memory as a short one.
 * Pure: no I/O, no threads; time only enters through {@code clock} (for the usage numbers).
 *
 * <p>Not thread-safe; the server calls it for one connection at a time.
 */
public final class ResponsePlan {
  private static final byte[] TERMINATOR = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final String KEEP_ALIVE = ": keep-alive\n\n";

  private final ScriptSpec spec;
  private final Random random;
  private final ArrayDeque<Step> ready = new ArrayDeque<>();
  private final Iterator<String> events;
  private final String requestId;
  private boolean headersDone;
  private boolean finished;
  private boolean commentTail;
  private int sent;
  private boolean firstChunkRoleOnly;
  private int rawNext;

  /**
   * @param spec the script
   * @param requestIndex the request's position (0-based), for repeatable ids and jitter
   * @param requestBodyLength the request body's length, for the prompt token estimate
   * @param clock the server's clock, in nanoseconds
   */
  public ResponsePlan(ScriptSpec spec, int requestIndex, int requestBodyLength, LongSupplier clock) {
    this.spec = spec;
    long seed = spec.seed != null ? spec.seed : 0x5DEECE66DL * (requestIndex + 1);
    this.random = new Random(seed);
    this.requestId = "req_" + ids(random, 26);
    if (spec.rawWrites != null) {
      this.events = java.util.Collections.emptyIterator();
    } else if (spec.transcript != null) {
      this.events = spec.transcript.iterator();
    } else {
      String chatId = "chatcmpl-" + new java.util.UUID(random.nextLong(), random.nextLong());
      GroqWire.Ids ids = new GroqWire.Ids(
          chatId, requestId, java.time.Instant.now().getEpochSecond(), spec.model,
          random.nextInt(Integer.MAX_VALUE));
      long prompt = spec.promptTokens >= 0 ? spec.promptTokens : Math.max(1, requestBodyLength / 4);
      this.events = new AnswerEvents(spec, ids, prompt, clock);
    }
  }

  /** The request id this response reports ({@code x-request-id}, {@code x_groq.id}). */
  public String requestId() {
    return requestId;
  }

  /** The HTTP status of this response. */
  public int status() {
    return spec.status;
  }

  /**
   * The next step. After a step whose {@code after} is not {@code CONTINUE} the plan is finished.
   *
   * @throws NoSuchElementException if the plan is finished
   */
  public Step next() {
    if (ready.isEmpty()) {
      if (finished) {
        throw new NoSuchElementException("response plan finished");
      }
      if (!headersDone) {
        headersDone = true;
        if (spec.status != 200 || spec.jsonBody != null) {
          planErrorResponse();
        } else {
          planStreamHead();
        }
      } else {
        planNextEvent();
      }
    }
    Step s = ready.poll();
    if (s.after() != Step.After.CONTINUE) {
      finished = true;
      ready.clear();
    }
    return s;
  }

  private void planErrorResponse() {
    String body = spec.jsonBody != null ? spec.jsonBody
        : spec.rawErrorBody != null ? spec.rawErrorBody : defaultErrorBody();
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("date", httpDate());
    headers.put("content-type", "application/json");
    headers.put("content-length", Integer.toString(bodyBytes.length));
    headers.put("cache-control", "private, max-age=0, no-store, no-cache, must-revalidate");
    headers.put("vary", "Origin");
    if (spec.jsonBody == null) {
      rateLimitHeaders(headers, spec.status == 429);
    }
    if (spec.jsonBody == null && (spec.status == 429 || spec.status == 498 || spec.status == 503)) {
      headers.put("retry-after", spec.status == 429 ? "2" : "1");
    }
    headers.put("x-request-id", requestId);
    headers.putAll(spec.headers);
    headers.put("content-length", Integer.toString(bodyBytes.length));
    addHead(spec.status, headers, spec.ttftNanos);
    ready.add(new Step(0, bodyBytes, 0, Step.After.END));
  }

  private void planStreamHead() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("date", httpDate());
    headers.put("content-type", "text/event-stream");
    headers.put("transfer-encoding", "chunked");
    headers.put("connection", "keep-alive");
    headers.put("cache-control", "no-cache");
    headers.put("vary", "Origin");
    headers.put("x-groq-region", "local-fake");
    rateLimitHeaders(headers, false);
    headers.put("x-request-id", requestId);
    headers.putAll(spec.headers);
    headers.put("transfer-encoding", "chunked");
    addHead(200, headers, 0);
    if (spec.disconnectAfter == 0) {
      ready.add(new Step(0, null, 0, Step.After.CUT));
      return;
    }
    if (spec.stallAfter == 0) {
      stall(null, 0, 0);
      return;
    }
    for (int i = 0; i < spec.keepAliveCount; i++) {
      ready.add(new Step(spec.keepAliveIntervalNanos, frame(KEEP_ALIVE), 0, Step.After.CONTINUE));
    }
  }

  private void planNextEvent() {
    if (commentTail) {
      ready.add(new Step(spec.stallCommentNanos, frame(KEEP_ALIVE), 0, Step.After.CONTINUE));
      return;
    }
    if (spec.rawWrites != null) {
      planNextRawWrite(spec.rawWrites);
      return;
    }
    if (!events.hasNext()) { // only for an empty transcript tail; normally the last event carries END
      ready.add(new Step(0, TERMINATOR, 0, Step.After.END));
      return;
    }
    int n = ++sent;
    String event = events.next();
    // The first token is due at ttft: the content-less role chunk that opens a Groq stream goes at ttft
    // too, and the chunk after it follows without a gap, as Groq sends the two back to back.
    long delay;
    if (n == 1) {
      delay = spec.ttftNanos;
      firstChunkRoleOnly = GroqWire.isRoleOnly(event);
    } else {
      delay = n == 2 && firstChunkRoleOnly ? 0 : gap(n);
    }
    if (spec.garbageAt == n) {
      ready.add(new Step(delay, frame(spec.garbage), 0, Step.After.CONTINUE));
      delay = 0;
    }
    if (spec.errorEventAt == n) {
      String err = GroqWire.errorEvent(
          spec.errorEventType, spec.errorEventCode, spec.errorEventMessage, spec.errorEventStatus);
      ready.add(new Step(delay, concat(frame(err), TERMINATOR), 1, Step.After.END));
      return;
    }
    if (spec.malformedAt == n) {
      event = GroqWire.malform(event);
    }
    Step.After after = Step.After.CONTINUE;
    byte[] bytes = frame(event);
    if (spec.disconnectAfter == n) {
      after = Step.After.CUT;
    } else if (spec.stallAfter == n) {
      stall(bytes, delay, 1);
      return;
    } else if (!events.hasNext()) {
      bytes = concat(bytes, TERMINATOR);
      after = Step.After.END;
    }
    ready.add(new Step(delay, bytes, 1, after));
  }

  /** Sends {@code bytes} (if any), then falls silent or, with a stall comment interval, sends only comments. */
  private void stall(byte @Nullable [] bytes, long delay, int chunks) {
    if (spec.stallCommentNanos > 0) {
      commentTail = true;
      if (bytes != null) {
        ready.add(new Step(delay, bytes, chunks, Step.After.CONTINUE));
      } else {
        ready.add(new Step(spec.stallCommentNanos, frame(KEEP_ALIVE), 0, Step.After.CONTINUE));
      }
      return;
    }
    ready.add(new Step(delay, bytes, chunks, Step.After.STALL));
  }

  /** The next of the script's exact writes: framed as one HTTP chunk, never parsed. */
  private void planNextRawWrite(java.util.List<byte[]> writes) {
    if (rawNext >= writes.size()) { // only for an empty body
      ready.add(new Step(0, TERMINATOR, 0, Step.After.END));
      return;
    }
    int n = ++sent;
    long delay = n == 1 ? spec.ttftNanos : gap(n);
    byte[] bytes = frame(writes.get(rawNext++));
    Step.After after = Step.After.CONTINUE;
    if (spec.disconnectAfter == n) {
      after = Step.After.CUT;
    } else if (spec.stallAfter == n) {
      stall(bytes, delay, 1);
      return;
    } else if (rawNext == writes.size()) {
      bytes = concat(bytes, TERMINATOR);
      after = Step.After.END;
    }
    ready.add(new Step(delay, bytes, 1, after));
  }

  /** The wait before chunk {@code n >= 2} (chunk 2 after a role-only chunk 1 has none). */
  private long gap(int n) {
    if (spec.burstSize > 0 && (n - 1) % spec.burstSize == 0) {
      return spec.burstPauseNanos;
    }
    if (spec.tokensPerSecond <= 0) {
      return 0;
    }
    double base = 1e9 / spec.tokensPerSecond;
    double factor = spec.jitter == 0 ? 1 : 1 + spec.jitter * (2 * random.nextDouble() - 1);
    return Math.max(0, Math.round(base * factor));
  }

  private void addHead(int status, Map<String, String> headers, long firstDelay) {
    StringBuilder all = new StringBuilder();
    String statusLine = "HTTP/1.1 " + status + " " + reason(status) + "\r\n";
    if (spec.headerLineDelayNanos > 0) {
      ready.add(new Step(firstDelay + spec.headerLineDelayNanos, ascii(statusLine), 0, Step.After.CONTINUE));
      for (Map.Entry<String, String> h : headers.entrySet()) {
        ready.add(new Step(spec.headerLineDelayNanos, ascii(h.getKey() + ": " + h.getValue() + "\r\n"), 0,
            Step.After.CONTINUE));
      }
      ready.add(new Step(spec.headerLineDelayNanos, ascii("\r\n"), 0, Step.After.CONTINUE));
      return;
    }
    all.append(statusLine);
    headers.forEach((k, v) -> all.append(k).append(": ").append(v).append("\r\n"));
    all.append("\r\n");
    ready.add(new Step(firstDelay, ascii(all.toString()), 0, Step.After.CONTINUE));
  }

  private void rateLimitHeaders(Map<String, String> headers, boolean exhausted) {
    headers.put("x-ratelimit-limit-requests", "1000");
    headers.put("x-ratelimit-limit-tokens", "12000");
    headers.put("x-ratelimit-remaining-requests", exhausted ? "998" : "999");
    headers.put("x-ratelimit-remaining-tokens", exhausted ? "0" : "11800");
    headers.put("x-ratelimit-reset-requests", "1m26.4s");
    headers.put("x-ratelimit-reset-tokens", exhausted ? "2s" : "1s");
  }

  private String defaultErrorBody() {
    if (spec.errorMessage != null) {
      return GroqWire.errorBody(spec.errorMessage, String.valueOf(spec.errorType), spec.errorCode);
    }
    String m = spec.model;
    switch (spec.status) {
      case 400:
        return GroqWire.errorBody("'messages' : property 'messages' is missing", "invalid_request_error",
            "invalid_request_error");
      case 401:
        return GroqWire.errorBody("Invalid API Key", "invalid_request_error", "invalid_api_key");
      case 404:
        return GroqWire.errorBody("The model `" + m + "` does not exist or you do not have access to it.",
            "invalid_request_error", "model_not_found");
      case 413:
        return GroqWire.errorBody("Request too large for model `" + m + "` in organization `org_fake` service"
            + " tier `on_demand` on tokens per minute (TPM): Limit 6000, Requested 15041, please reduce your"
            + " message size and try again.", "tokens", "rate_limit_exceeded");
      case 429:
        return GroqWire.errorBody("Rate limit reached for model `" + m + "` in organization `org_fake` service"
            + " tier `on_demand` on tokens per minute (TPM): Limit 6000, Used 4093, Requested 3531. Please try"
            + " again in 1.5s.", "tokens", "rate_limit_exceeded");
      case 498:
        return GroqWire.errorBody("Capacity exceeded for the flex service tier, please retry later.",
            "capacity_exceeded", "capacity_exceeded");
      case 500:
        return GroqWire.errorBody("Internal Server Error", "internal_server_error", "internal_server_error");
      case 502:
        return GroqWire.errorBody("Bad Gateway", "internal_server_error", "bad_gateway");
      case 503:
        return GroqWire.errorBody("Service Unavailable", "internal_server_error", "service_unavailable");
      default:
        return GroqWire.errorBody("HTTP " + spec.status, "api_error", "http_" + spec.status);
    }
  }

  static String reason(int status) {
    switch (status) {
      case 200: return "OK";
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 405: return "Method Not Allowed";
      case 413: return "Payload Too Large";
      case 422: return "Unprocessable Entity";
      case 429: return "Too Many Requests";
      case 498: return "Flex Tier Capacity Exceeded";
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      case 504: return "Gateway Timeout";
      default: return "Status " + status;
    }
  }

  /** One HTTP chunk: size line, data, CRLF. */
  static byte[] frame(String text) {
    return frame(text.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] frame(byte[] data) {
    byte[] head = ascii(Integer.toHexString(data.length) + "\r\n");
    byte[] out = new byte[head.length + data.length + 2];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(data, 0, out, head.length, data.length);
    out[out.length - 2] = '\r';
    out[out.length - 1] = '\n';
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String httpDate() {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
  }

  private static String ids(Random r, int len) {
    String alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    StringBuilder sb = new StringBuilder(len);
    for (int i = 0; i < len; i++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }
}
