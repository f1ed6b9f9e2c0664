package dev.llmstream.groq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The decoder's fast path for the dominant {@code delta.content} chunk shape against Jackson alone: the
 * 100,000-case seeded fuzz corpus ({@link FuzzTranscripts}, the same seeds as {@link ParserFuzzTest};
 * override with {@code -Dllmstream.fuzz.cases=N} and {@code -Dllmstream.fuzz.seed=S}) and every recorded
 * stream in {@code ../shared/fixtures} decode to identical events, completion and failure (kind and
 * message) through both. That the fast path does take the common chunks is {@code FastChunkParserTest}'s.
 */
class ParserDifferentialTest {

  private static void same(String where, byte[] sse, Random splits, Map<String, Integer> outcomes) {
    ParserFuzzTest.Outcome fast = ParserFuzzTest.decode(sse, splits == null ? null : new Random(1), true);
    ParserFuzzTest.Outcome jackson = ParserFuzzTest.decode(sse, splits == null ? null : new Random(1), false);
    assertThat(fast).as(where + ": fast path = Jackson").isEqualTo(jackson);
    String error = jackson.error();
    outcomes.merge(error == null ? "completed" : error.substring(0, error.indexOf(':')), 1, Integer::sum);
  }

  @Test
  void fuzzCorpusDecodesTheSameThroughBothPaths() {
    int cases = Integer.getInteger("llmstream.fuzz.cases", 100_000);
    long base = Long.getLong("llmstream.fuzz.seed", 20_261_125L);
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int i = 0; i < cases; i++) {
      FuzzTranscripts.Case c = FuzzTranscripts.generate(base + i);
      same("seed " + c.seed() + " (" + c.recipe() + ")", c.bytes(), null, outcomes);
    }
    System.out.println("parser differential: " + cases + " cases from seed " + base + ": " + outcomes);
    assertThat(outcomes.keySet()).contains("completed", "PROTOCOL", "LIMIT_EXCEEDED", "CONNECTION", "UPSTREAM");
  }

  @Test
  void everyRecordedStreamDecodesTheSameThroughBothPaths() throws IOException {
    List<String> names = Fixtures.names();
    assertThat(names).isNotEmpty();
    Map<String, Integer> outcomes = new TreeMap<>();
    for (String name : names) {
      byte[] sse = Fixtures.bytes(name + ".sse");
      same(name, sse, null, outcomes);
      same(name + " (split)", sse, new Random(1), outcomes);
    }
    assertThat(outcomes).containsKey("completed");
  }
}
