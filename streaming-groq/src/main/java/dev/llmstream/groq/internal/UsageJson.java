package dev.llmstream.groq.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmstream.core.Usage;
import java.io.IOException;
import java.time.Duration;

/** Reads a {@code usage} object (Groq's, with timings, or OpenAI's) from a streaming parser. Stateless. */
final class UsageJson {
  private UsageJson() {}

  /** Reads the object the parser is on (its START_OBJECT) up to its END_OBJECT. */
  static Usage read(JsonParser p) throws IOException {
    long prompt = 0;
    long completion = 0;
    long total = -1;
    Long reasoning = null;
    Duration queue = null;
    Duration promptTime = null;
    Duration completionTime = null;
    Duration totalTime = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      boolean number = value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT;
      switch (field) {
        case "prompt_tokens":
          prompt = number ? p.getLongValue() : prompt;
          break;
        case "completion_tokens":
          completion = number ? p.getLongValue() : completion;
          break;
        case "total_tokens":
          total = number ? p.getLongValue() : total;
          break;
        case "queue_time":
          queue = number ? seconds(p.getDoubleValue()) : queue;
          break;
        case "prompt_time":
          promptTime = number ? seconds(p.getDoubleValue()) : promptTime;
          break;
        case "completion_time":
          completionTime = number ? seconds(p.getDoubleValue()) : completionTime;
          break;
        case "total_time":
          totalTime = number ? seconds(p.getDoubleValue()) : totalTime;
          break;
        case "completion_tokens_details":
          if (value == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String f = p.currentName();
              JsonToken v = p.nextToken();
              if (f.equals("reasoning_tokens") && v == JsonToken.VALUE_NUMBER_INT) {
                reasoning = p.getLongValue();
              } else {
                p.skipChildren();
              }
            }
          } else {
            p.skipChildren();
          }
          break;
        default:
          p.skipChildren();
      }
    }
    Usage.Timings timings =
        queue == null && promptTime == null && completionTime == null && totalTime == null
            ? null
            : new Usage.Timings(queue, promptTime, completionTime, totalTime);
    return new Usage(prompt, completion, total < 0 ? prompt + completion : total, reasoning, timings, false);
  }

  private static Duration seconds(double s) {
    if (!(s >= 0) || s > 1e9) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(Math.round(s * 1e9));
  }

}
