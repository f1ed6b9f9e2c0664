package dev.llmstream.benchmarks.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic Markdown answer of a chosen length, shaped like a long model answer (headings,
 * paragraphs with inline code, bullet lists with bold, numbered lists, fenced code blocks), cut into
 * token-sized chunks of 1 to 4 non-space characters with their leading white space, about 3.2
 * characters per chunk like the recorded Groq streams. Deterministic for a seed.
 */
public final class MarkdownAnswer {
  private static final String[] WORDS = {
    "stream", "token", "answer", "buffer", "frame", "render", "browser", "latency", "model", "chunk",
    "a", "the", "of", "to", "is", "and", "in", "on", "it", "paint", "layout", "scroll", "reader", "event"
  };

  private MarkdownAnswer() {
    throw new AssertionError("no instances");
  }

  /**
   * Builds the text.
   *
   * @param chars the length wanted (the text ends at the first block boundary at or past it)
   * @param seed the random seed
   * @return the Markdown text
   */
  public static String text(int chars, long seed) {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder(chars + 512);
    int block = 0;
    while (b.length() < chars) {
      switch (block++ % 5) {
        case 0 -> b.append("## Part ").append(block).append(": ").append(word(r)).append(' ').append(word(r)).append("\n\n");
        case 1 -> {
          for (int s = 0; s < 3 + r.nextInt(3); s++) {
            String first = word(r);
            b.append(Character.toUpperCase(first.charAt(0))).append(first.substring(1));
            for (int w = 0; w < 8 + r.nextInt(10); w++) {
              b.append(' ').append(w % 7 == 6 ? "`" + word(r) + "()`" : word(r));
            }
            b.append(". ");
          }
          b.setLength(b.length() - 1);
          b.append("\n\n");
        }
        case 2 -> {
          for (int i = 0; i < 3 + r.nextInt(4); i++) {
            b.append("- **").append(word(r)).append(' ').append(word(r)).append("**: ")
                .append(word(r)).append(' ').append(word(r)).append(' ').append(word(r)).append(".\n");
          }
          b.append('\n');
        }
        case 3 -> {
          b.append("```java\n");
          for (int i = 0; i < 3 + r.nextInt(6); i++) {
            b.append("var ").append(word(r)).append(i).append(" = List.of(\"<").append(word(r)).append(">\", ")
                .append(i * 7).append("); // ").append(word(r)).append('\n');
          }
          b.append("```\n\n");
        }
        default -> {
          for (int i = 1; i <= 2 + r.nextInt(3); i++) {
            b.append(i).append(". ").append(word(r)).append(" *").append(word(r)).append("* ").append(word(r)).append('\n');
          }
          b.append('\n');
        }
      }
    }
    return b.toString();
  }

  /**
   * Cuts a text into token-sized chunks (white space, then 1 to 4 other characters); joined they give
   * the text back exactly.
   *
   * @param text the text
   * @param seed the random seed
   * @return the chunks
   */
  public static List<String> chunks(String text, long seed) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>(text.length() / 3 + 1);
    int i = 0;
    while (i < text.length()) {
      int start = i;
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      int take = 1 + r.nextInt(4);
      while (i < text.length() && take-- > 0 && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      out.add(text.substring(start, i));
    }
    return out;
  }

  private static String word(Random r) {
    return WORDS[r.nextInt(WORDS.length)];
  }
}
