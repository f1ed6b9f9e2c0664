package dev.llmstream.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;

/**
 * A stand-in for a real model in demos: for any prompt it writes a plausible multi-paragraph answer
 * (a heading, paragraphs, a list, sometimes a code block, in markdown), the same for the same seed and
 * prompt, and streams it at Groq-like speed.
 *
 * <pre>{@code
 * SimulatedModel model = SimulatedModel.builder()
 *     .seed(42)
 *     .tokensPerSecond(250)
 *     .timeToFirstToken(Duration.ofMillis(200))
 *     .build();
 * String answer = model.answer("How do I stream tokens into a UI?");   // deterministic
 * try (FakeGroqServer server = FakeGroqServer.simulated(model).start()) { ... }
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class SimulatedModel {
  private static final String[] OPENINGS = {
    "Great question! Here is a short overview of %s.",
    "Let's look at %s step by step.",
    "Sure. %s comes down to a few ideas that fit together nicely.",
    "Here's how I would think about %s.",
  };
  private static final String[] SENTENCES = {
    "The key idea is to keep each part small and focused, so it can be tested on its own.",
    "Streaming the answer token by token makes the interface feel responsive from the first moment.",
    "A good first step is to measure what actually happens before changing anything.",
    "Back-pressure matters: a slow consumer should slow the producer instead of growing a buffer.",
    "Time should be a parameter, so tests can move the clock instead of waiting for it.",
    "Errors are part of the normal flow; show what you have and explain what went wrong.",
    "Most of the complexity disappears once the state of each stream has a single owner.",
    "Keep the user's partial answer visible even when the connection drops.",
    "Batching small updates keeps the UI smooth without adding noticeable latency.",
    "It helps to write down the expected sequence of events before writing the code.",
    "Cancelling should be cheap, immediate and safe to call more than once.",
    "Logs should tell the story of a request without revealing any secrets.",
    "A fake server that behaves like the real one catches most integration bugs early.",
    "Retries are useful before the first token; after that, resuming is the better tool.",
  };
  private static final String[] HEADINGS = {"Key points", "In practice", "A quick checklist", "Things to watch"};
  private static final String[] BULLETS = {
    "**Start simple** and add features one at a time",
    "**Measure** time to first token and tokens per second",
    "Handle `429` responses with the advised `retry-after`",
    "Render partial text as it arrives",
    "Test with a virtual clock instead of sleeping",
    "Close connections the user no longer needs",
    "Keep secrets out of logs and error messages",
  };
  private static final String[] CODE = {
    "```java\nTokenStream stream = client.stream(request);\nstream.subscribe(sink);\n```",
    "```python\nfor chunk in client.chat.completions.create(stream=True, **request):\n    print(chunk, end=\"\")\n```",
    "```bash\ncurl -N \"$BASE_URL/chat/completions\" -d @request.json\n```",
  };

  private final long seed;
  private final double tokensPerSecond;
  private final Duration timeToFirstToken;
  private final double jitter;
  private final int burstSize;
  private final Duration burstPause;
  private final int minParagraphs;
  private final int maxParagraphs;
  private final String model;

  private SimulatedModel(Builder b) {
    this.seed = b.seed;
    this.tokensPerSecond = b.tokensPerSecond;
    this.timeToFirstToken = b.timeToFirstToken;
    this.jitter = b.jitter;
    this.burstSize = b.burstSize;
    this.burstPause = b.burstPause;
    this.minParagraphs = b.minParagraphs;
    this.maxParagraphs = b.maxParagraphs;
    this.model = b.model;
  }

  /**
   * Groq-like defaults: seed 0, 250 tokens/s, 250 ms to first token, jitter 0.3, no bursts, 2–4
   * paragraphs.
   *
   * @return the model
   */
  public static SimulatedModel defaults() {
    return builder().build();
  }

  /**
   * A builder with the {@link #defaults()}.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The answer this model gives to {@code prompt}: the same text for the same seed and prompt.
   *
   * @param prompt the user's prompt (may be empty)
   * @return a markdown answer of several paragraphs
   */
  public String answer(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    Random r = new Random(seed * 31 + prompt.hashCode());
    String topic = topic(prompt);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, OPENINGS[r.nextInt(OPENINGS.length)], topic));
    int paragraphs = minParagraphs + r.nextInt(maxParagraphs - minParagraphs + 1);
    boolean listDone = false;
    boolean codeDone = false;
    for (int p = 0; p < paragraphs; p++) {
      sb.append("\n\n");
      if (!listDone && p == 1) {
        sb.append("### ").append(HEADINGS[r.nextInt(HEADINGS.length)]).append("\n\n");
        List<String> bullets = pick(r, BULLETS, 3 + r.nextInt(2));
        for (String b : bullets) {
          sb.append("- ").append(b).append('\n');
        }
        sb.append('\n');
        listDone = true;
      }
      if (!codeDone && p == 2 && r.nextBoolean()) {
        sb.append(CODE[r.nextInt(CODE.length)]).append("\n\n");
        codeDone = true;
      }
      List<String> sentences = pick(r, SENTENCES, 2 + r.nextInt(3));
      sb.append(String.join(" ", sentences));
    }
    sb.append("\n\nIn short: ").append(topic).append(" works best when you keep it simple, measure it, "
        + "and test it with a fake that behaves like the real thing.");
    return sb.toString();
  }

  /**
   * The script answering {@code request}: {@link #answer(String)} of its last user message, paced like
   * this model. Used by {@link FakeGroqServer#simulated(SimulatedModel)}.
   *
   * @param request the request
   * @return the script
   */
  public ResponseScript script(RecordedRequest request) {
    String requested = request.model();
    ResponseScript.Builder b = ResponseScript.builder()
        .model(requested != null ? requested : model)
        .text(answer(request.lastUserMessage()))
        .timeToFirstToken(timeToFirstToken)
        .tokensPerSecond(tokensPerSecond)
        .jitter(jitter)
        .seed(seed * 1_000_003L + request.index());
    if (burstSize > 0) {
      b.bursts(burstSize, burstPause);
    }
    return b.build();
  }

  @Override
  public String toString() {
    return "SimulatedModel[seed=" + seed + ", " + tokensPerSecond + " tok/s, ttft=" + timeToFirstToken + "]";
  }

  private static String topic(String prompt) {
    String t = prompt.strip().replaceAll("[\\s]+", " ").replaceAll("[?!.]+$", "");
    if (t.isEmpty()) {
      return "this topic";
    }
    if (t.length() > 60) {
      t = t.substring(0, 60).strip() + "…";
    }
    return "\"" + t + "\"";
  }

  private static List<String> pick(Random r, String[] from, int n) {
    List<String> pool = new ArrayList<>(List.of(from));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n && !pool.isEmpty(); i++) {
      out.add(pool.remove(r.nextInt(pool.size())));
    }
    return out;
  }

  /** Builds a {@link SimulatedModel}. Not thread-safe. */
  public static final class Builder {
    private long seed;
    private double tokensPerSecond = 250;
    private Duration timeToFirstToken = Duration.ofMillis(250);
    private double jitter = 0.3;
    private int burstSize;
    private Duration burstPause = Duration.ZERO;
    private int minParagraphs = 2;
    private int maxParagraphs = 4;
    private String model = "llama-3.3-70b-versatile";

    private Builder() {}

    /**
     * The seed: the same seed and prompt give the same answer and pacing.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Tokens per second after the first; {@code 0} is unpaced.
     *
     * @param tokensPerSecond the rate, {@code >= 0}
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder tokensPerSecond(double tokensPerSecond) {
      if (!(tokensPerSecond >= 0) || Double.isInfinite(tokensPerSecond)) {
        throw new IllegalArgumentException("tokensPerSecond must be finite and >= 0, was " + tokensPerSecond);
      }
      this.tokensPerSecond = tokensPerSecond;
      return this;
    }

    /**
     * Time to the first token.
     *
     * @param ttft the delay, not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder timeToFirstToken(Duration ttft) {
      Objects.requireNonNull(ttft, "ttft");
      if (ttft.isNegative()) {
        throw new IllegalArgumentException("ttft must not be negative, was " + ttft);
      }
      this.timeToFirstToken = ttft;
      return this;
    }

    /**
     * Jitter of the gaps between tokens (see {@link ResponseScript.Builder#jitter(double)}).
     *
     * @param jitter the fraction, {@code 0..1}
     * @return this builder
     * @throws IllegalArgumentException if outside {@code 0..1}
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter <= 1)) {
        throw new IllegalArgumentException("jitter must be within 0..1, was " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * Bursts (see {@link ResponseScript.Builder#bursts(int, Duration)}).
     *
     * @param chunksPerBurst chunks per burst, {@code >= 1}
     * @param pause the pause between bursts
     * @return this builder
     * @throws IllegalArgumentException if {@code chunksPerBurst < 1} or {@code pause} is negative
     */
    public Builder bursts(int chunksPerBurst, Duration pause) {
      Objects.requireNonNull(pause, "pause");
      if (chunksPerBurst < 1 || pause.isNegative()) {
        throw new IllegalArgumentException("bursts need chunksPerBurst >= 1 and a pause >= 0, were "
            + chunksPerBurst + ", " + pause);
      }
      this.burstSize = chunksPerBurst;
      this.burstPause = pause;
      return this;
    }

    /**
     * How many paragraphs (besides the opening and closing lines).
     *
     * @param min at least this many, {@code >= 1}
     * @param max at most this many, {@code >= min}
     * @return this builder
     * @throws IllegalArgumentException if {@code min < 1} or {@code max < min}
     */
    public Builder paragraphs(int min, int max) {
      if (min < 1 || max < min) {
        throw new IllegalArgumentException("paragraphs need 1 <= min <= max, were " + min + ", " + max);
      }
      this.minParagraphs = min;
      this.maxParagraphs = max;
      return this;
    }

    /**
     * The model name reported when the request names none; default {@code llama-3.3-70b-versatile}.
     *
     * @param model the name
     * @return this builder
     * @throws NullPointerException if {@code model} is null
     */
    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * Builds the model.
     *
     * @return the model
     */
    public SimulatedModel build() {
      return new SimulatedModel(this);
    }
  }
}
