package dev.llmstream.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The in-memory benchmarks' own checks run once per path, outside JMH: a change to the events a stream
 * produces (the usage folding into the finish, say) must fail here, not in the middle of a long run.
 */
class ParseBenchmarkTest {
  private static final Blackhole BH =
      new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

  @ParameterizedTest
  @ValueSource(strings = {"fast", "jackson"})
  void bothBenchmarksSeeEveryTokenAndTheFinish(String path) {
    ParseBenchmark b = new ParseBenchmark();
    b.path = path;
    b.setup();
    assertThat(b.parseAndMap(BH)).isEqualTo(ParseBenchmark.TOKENS + 1);
    assertThat(b.parseMapAndDeliver(BH)).isEqualTo(ParseBenchmark.TOKENS + 1);
  }
}
