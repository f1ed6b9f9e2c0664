package dev.llmstream.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The text dedupe of {@code RESTART_DEDUPE} recovery (the stream-level behaviour: RecoveringSourceTest). */
class DedupeTest {
  @Test
  void dedupeIsLinearAndExact() {
    Dedupe d = new Dedupe("abcdef");
    assertThat(d.offer("ab")).isEmpty();
    assertThat(d.offer("cd")).isEmpty();
    assertThat(d.offer("efgh")).isEqualTo("gh");
    assertThat(d.passedThrough()).isTrue();
    Dedupe x = new Dedupe("abc");
    assertThat(x.offer("abX")).isNull();
    assertThat(x.candidate()).isEqualTo("abX");
  }
}
