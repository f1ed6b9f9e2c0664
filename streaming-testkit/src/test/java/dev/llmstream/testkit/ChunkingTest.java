package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkingTest {
  static List<String> cut(Chunking c, String text) {
    List<String> out = new ArrayList<>();
    int pos = 0;
    while (pos < text.length()) {
      int end = c.nextEnd(text, pos);
      assertThat(end).isGreaterThan(pos).isLessThanOrEqualTo(text.length());
      out.add(text.substring(pos, end));
      pos = end;
    }
    return out;
  }

  @Test
  void perTokenLooksLikeGroqTokens() {
    assertThat(cut(Chunking.perToken(), "Introducing \"Lumina\", a model.\n\nDone 😀!"))
        .containsExactly("Introduc", "ing", " \"", "Lumina", "\"", ",", " a", " model", ".", "\n\n", "Done", " 😀", "!");
  }

  @Test
  void perWordFixedAndWhole() {
    assertThat(cut(Chunking.perWord(), "Hello, world!  Bye\n")).containsExactly("Hello,", " world!", "  Bye", "\n");
    assertThat(cut(Chunking.fixed(4), "Hello, world!")).containsExactly("Hell", "o, w", "orld", "!");
    assertThat(cut(Chunking.fixed(1), "a😀b")).containsExactly("a", "😀", "b");
    assertThat(cut(Chunking.whole(), "all of it")).containsExactly("all of it");
    assertThatThrownBy(() -> Chunking.fixed(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("codePoints");
  }

  @Test
  void everyChunkingJoinsBackToTheTextAndNeverSplitsSurrogates() {
    Random r = new Random(1);
    String alphabet = "ab Z9 \n\t.,\"\\😀é\u0000\r";
    for (int n = 0; n < 500; n++) {
      StringBuilder sb = new StringBuilder();
      int len = 1 + r.nextInt(40);
      for (int i = 0; i < len; i++) {
        int cp = alphabet.codePointAt(alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0, alphabet.length()))));
        sb.appendCodePoint(cp);
      }
      String text = sb.toString();
      for (Chunking c : List.of(Chunking.perToken(), Chunking.perWord(), Chunking.fixed(3), Chunking.whole())) {
        List<String> pieces = cut(c, text);
        assertThat(String.join("", pieces)).isEqualTo(text);
        assertThat(pieces).allSatisfy(p -> {
          assertThat(Character.isLowSurrogate(p.charAt(0))).isFalse();
          assertThat(Character.isHighSurrogate(p.charAt(p.length() - 1))).isFalse();
        });
      }
    }
  }
}
