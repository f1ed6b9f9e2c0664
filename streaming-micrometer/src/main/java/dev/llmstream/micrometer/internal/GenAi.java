package dev.llmstream.micrometer.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamTrace;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The OpenTelemetry GenAI semantic-convention names and bucket boundaries (semconv "gen-ai-metrics"),
 * and llmstream's own attribute names, in one place.
 */
public final class GenAi {
  private GenAi() {
    throw new AssertionError("no instances");
  }

  public static final String OPERATION_NAME = "gen_ai.operation.name";
  public static final String OPERATION_CHAT = "chat";
  public static final String PROVIDER_NAME = "gen_ai.provider.name";
  public static final String REQUEST_MODEL = "gen_ai.request.model";
  public static final String RESPONSE_MODEL = "gen_ai.response.model";
  public static final String SERVER_ADDRESS = "server.address";
  public static final String ERROR_TYPE = "error.type";
  public static final String TOKEN_TYPE = "gen_ai.token.type";
  public static final String OUTCOME = "outcome";
  public static final String RESULT = "result";
  /** A key's value when the stream does not know it (Micrometer's and Spring AI's convention). */
  public static final String NONE = "none";

  /** {@code gen_ai.client.operation.duration} and {@code time_to_first_chunk}, in seconds. */
  public static final Duration[] DURATION_BUCKETS =
      seconds(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);

  /** {@code gen_ai.client.operation.time_per_output_chunk}, in seconds. */
  public static final Duration[] CHUNK_BUCKETS =
      seconds(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5);

  /** {@code gen_ai.client.token.usage}, in tokens. */
  public static final double[] TOKEN_BUCKETS = {
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864
  };

  /** Cancel latency and UI delivery lag: what a person notices starts around 16 ms (one frame). */
  public static final Duration[] LATENCY_BUCKETS =
      seconds(0.001, 0.002, 0.005, 0.01, 0.016, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);

  /**
   * Display lag in the browser (event sent to painted): a frame (16 ms) up to the 60 s the recorder
   * clamps to.
   */
  public static final Duration[] DISPLAY_BUCKETS =
      seconds(0.005, 0.01, 0.016, 0.025, 0.033, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);

  /**
   * The {@code error.type} value: the error kind in lower case for a failed stream, else {@code none}.
   *
   * @param t the trace
   * @return the value
   */
  public static String errorType(StreamTrace t) {
    ErrorKind kind = t.errorKind();
    return kind == null ? NONE : kind.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The value, or {@code none}.
   *
   * @param value a value that may be unknown
   * @return the value or {@code none}
   */
  public static String orNone(@Nullable String value) {
    return value == null || value.isEmpty() ? NONE : value;
  }

  private static Duration[] seconds(double... s) {
    Duration[] d = new Duration[s.length];
    for (int i = 0; i < s.length; i++) {
      d[i] = Duration.ofNanos(Math.round(s[i] * 1e9));
    }
    return d;
  }
}
