package dev.llmstream.testkit;

/**
 * How {@link FakeGroqServer} cuts an answer's text into chunks (one chunk = one SSE event with one
 * {@code delta}). Joined, the chunks always give back the text exactly.
 *
 * <pre>{@code
 * ResponseScript.builder().text("Hello, world!").chunking(Chunking.perWord())    // "Hello," " world!"
 * ResponseScript.builder().text("Hello, world!").chunking(Chunking.fixed(4))     // "Hell" "o, w" "orld" "!"
 * }</pre>
 *
 * <p>Implementations must be stateless and thread-safe.
 */
@FunctionalInterface
public interface Chunking {

  /**
   * Where the chunk starting at {@code start} ends.
   *
   * @param text the whole text
   * @param start the start of the chunk, {@code < text.length()}
   * @return the exclusive end, {@code > start} and {@code <= text.length()}
   */
  int nextEnd(CharSequence text, int start);

  /**
   * Token-like pieces, as Groq streams them (the default): a word with its leading space (long words
   * split after 8 letters), a single punctuation mark or symbol (an emoji stays whole), a run of
   * newlines.
   *
   * @return the chunking
   */
  static Chunking perToken() {
    return (text, start) -> {
      int n = text.length();
      int i = start;
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        while (i < n && (text.charAt(i) == '\n' || text.charAt(i) == '\r')) {
          i++;
        }
        return i;
      }
      while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
        i++;
      }
      if (i == n || text.charAt(i) == '\n' || text.charAt(i) == '\r') {
        return i;
      }
      int cp = Character.codePointAt(text, i);
      if (!Character.isLetterOrDigit(cp)) {
        return i + Character.charCount(cp);
      }
      int letters = 0;
      while (i < n && letters < 8) {
        cp = Character.codePointAt(text, i);
        if (!Character.isLetterOrDigit(cp)) {
          break;
        }
        i += Character.charCount(cp);
        letters++;
      }
      return i;
    };
  }

  /**
   * Whole words with their leading whitespace.
   *
   * @return the chunking
   */
  static Chunking perWord() {
    return (text, start) -> {
      int n = text.length();
      int i = start;
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      while (i < n && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      return i;
    };
  }

  /**
   * Pieces of {@code codePoints} code points (the last may be shorter); a surrogate pair is never split.
   *
   * @param codePoints the chunk size, {@code >= 1}
   * @return the chunking
   * @throws IllegalArgumentException if {@code codePoints < 1}
   */
  static Chunking fixed(int codePoints) {
    if (codePoints < 1) {
      throw new IllegalArgumentException("codePoints must be >= 1, was " + codePoints);
    }
    return (text, start) -> {
      int i = start;
      for (int k = 0; k < codePoints && i < text.length(); k++) {
        i += Character.charCount(Character.codePointAt(text, i));
      }
      return i;
    };
  }

  /**
   * The whole text in one chunk.
   *
   * @return the chunking
   */
  static Chunking whole() {
    return (text, start) -> text.length();
  }
}
