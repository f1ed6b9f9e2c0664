package dev.llmstream.groq.recovery;

import dev.llmstream.testkit.Chunking;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The fake server's side of the fault matrix. The prompt names the cut position: {@code "cut k"}. The
 * first request for a {@code k} gets the reference answer cut right after {@code k} answer chunks
 * (chunk 1 of the response is the role chunk, so {@code disconnectAfter(k + 1)}); a continuation (the
 * messages end with an assistant message) gets the rest of the reference after the prefill, and the
 * prefill is checked to be a prefix of the reference; a repeated request without prefill (a retry before
 * the first token, or a restart) gets {@link #restart} for that {@code k}.
 *
 * <p>Thread-safe: the server calls it on its selector thread, the test reads it on its own.
 */
final class MatrixDispatcher implements Function<RecordedRequest, ResponseScript> {
  static final Chunking CHUNKING = Chunking.fixed(3);

  final String reference;
  final Map<Integer, AtomicInteger> plainRequests = new ConcurrentHashMap<>();
  final Map<Integer, String> prefills = new ConcurrentHashMap<>();
  final Map<Integer, Object> seeds = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
  volatile Function<Integer, String> restart;

  MatrixDispatcher(String reference) {
    this.reference = reference;
    this.restart = k -> reference;
  }

  static String prompt(int k) {
    return "cut " + k;
  }

  @Override
  public ResponseScript apply(RecordedRequest request) {
    Map<String, Object> json = request.json();
    int k = Integer.parseInt(request.lastUserMessage().substring(4));
    List<?> messages = (List<?>) json.get("messages");
    Map<?, ?> last = (Map<?, ?>) messages.get(messages.size() - 1);
    if ("assistant".equals(last.get("role"))) {
      String prefill = (String) last.get("content");
      if (prefills.putIfAbsent(k, prefill) != null) {
        problems.add("k=" + k + ": a second continuation");
      }
      if (!reference.startsWith(prefill)) {
        problems.add("k=" + k + ": the prefill is not a prefix of the reference");
        return ResponseScript.httpError(400);
      }
      // A model continuing a prefill sends only what follows it.
      return ResponseScript.builder().text(reference.substring(prefill.length())).chunking(CHUNKING).build();
    }
    Object seed = json.get("seed");
    if (seed != null) {
      Object before = seeds.putIfAbsent(k, seed);
      if (before != null && !before.equals(seed)) {
        problems.add("k=" + k + ": the seed changed from " + before + " to " + seed);
      }
    }
    int n = plainRequests.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
    if (n == 1) {
      return ResponseScript.builder().text(reference).chunking(CHUNKING).disconnectAfter(k + 1).build();
    }
    return ResponseScript.builder().text(restart.apply(k)).chunking(CHUNKING).build();
  }

  /**
   * A 600-code-point reference answer that {@link #CHUNKING} cuts into exactly 200 chunks: words, runs of
   * spaces, tabs, newlines, emoji (surrogate pairs), accents, CJK, quotes and backslashes, so many cuts
   * fall right after whitespace or inside a word.
   */
  static String reference() {
    String[] pieces = {
      "The ", "quick  ", "brown\t", "fox ", "jumps\n", "over ", "the ", "lazy ", "dog. ", "😀 ",
      "Ünïcödé ", "文字 ", "\"quoted\" ", "back\\slash ", "\n\n", "   ", "ha ", "ha ", "ha! ", "end,\r\n"
    };
    StringBuilder sb = new StringBuilder();
    int codePoints = 0;
    for (int i = 0; codePoints < 600; i++) {
      String p = pieces[i % pieces.length];
      sb.append(p);
      codePoints += p.codePointCount(0, p.length());
    }
    // trim to exactly 600 code points
    int end = sb.offsetByCodePoints(0, 600);
    return sb.substring(0, end);
  }

  /** The first {@code k} chunks of the reference, as {@link #CHUNKING} cuts it. */
  String chunks(int k) {
    int pos = 0;
    for (int i = 0; i < k && pos < reference.length(); i++) {
      pos = CHUNKING.nextEnd(reference, pos);
    }
    return reference.substring(0, pos);
  }

  int chunkCount() {
    int pos = 0;
    int n = 0;
    while (pos < reference.length()) {
      pos = CHUNKING.nextEnd(reference, pos);
      n++;
    }
    return n;
  }
}
