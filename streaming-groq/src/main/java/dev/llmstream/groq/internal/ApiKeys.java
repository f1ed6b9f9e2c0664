package dev.llmstream.groq.internal;

import java.util.Locale;

/**
 * Checks an API key before it goes near an HTTP header. The JDK rejects a header value with a character
 * HTTP cannot carry only when the request is built, with an {@code IllegalArgumentException} that quotes
 * the whole value ({@code invalid header value: "Bearer sk-..."}); checking here, at build time, means
 * that message can never be produced with a key in it. Keys (Groq's {@code gsk_...}, OpenAI's
 * {@code sk-...}, local servers' tokens) are printable ASCII without spaces, so anything else is a
 * copy-paste accident. Messages name the position and the kind of the character, never the key. Stateless.
 */
public final class ApiKeys {
  private ApiKeys() {
    throw new AssertionError("no instances");
  }

  /**
   * Returns {@code key} if every character is printable ASCII ({@code !} to {@code ~}).
   *
   * @param key the stripped key
   * @param source where it came from, for the message ({@code apiKey}, {@code GROQ_API_KEY})
   * @return the key
   * @throws IllegalArgumentException naming the first offending character's position and kind
   */
  public static String checked(String key, String source) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        throw new IllegalArgumentException(
            source + ": character " + (i + 1) + " of " + key.length() + " is " + describe(key.codePointAt(i))
                + "; an API key is printable ASCII without spaces (a key copied from a web page or a file "
                + "often picks up such a character): copy the key again");
      }
    }
    return key;
  }

  /**
   * The kind of a character, with its code point (never its neighbours).
   *
   * @param cp the code point
   * @return such as {@code "a line break (U+000A)"}
   */
  public static String describe(int cp) {
    String kind;
    if (cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
      kind = "a line break";
    } else if (cp == ' ' || cp == '\t' || cp == 0xA0 || Character.isSpaceChar(cp)) {
      kind = "white space";
    } else if (cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0xFEFF) {
      kind = "an invisible zero-width character";
    } else if (Character.isISOControl(cp)) {
      kind = cp == 0x7F ? "the DEL control character" : "a control character";
    } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D) {
      kind = "a curly quote";
    } else {
      kind = "a non-ASCII character";
    }
    return kind + " (U+" + String.format(Locale.ROOT, "%04X", cp) + ")";
  }
}
