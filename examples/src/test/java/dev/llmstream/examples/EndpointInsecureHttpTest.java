package dev.llmstream.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The CLIs' {@code --allow-insecure-http} flag: plain http to a non-loopback host is refused without it
 * (the key would cross the network in clear text) and accepted with it; loopback needs no flag. No request
 * is sent: building the endpoint does no I/O.
 */
class EndpointInsecureHttpTest {
  private static final String KEY = "gsk_cli_secret_123456";

  @Test
  void plainHttpToANetworkHostNeedsTheFlag() {
    assertThatThrownBy(() -> Endpoint.open("http://192.0.2.10:11434/v1", KEY, null, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowInsecureHttp")
        .hasMessageContaining("--allow-insecure-http")
        .hasMessageNotContaining(KEY);
    try (Endpoint e = Endpoint.open("http://192.0.2.10:11434/v1", KEY, null, true)) {
      assertThat(e.description()).contains("192.0.2.10").doesNotContain(KEY);
    }
  }

  @Test
  void loopbackNeedsNoFlag() {
    try (Endpoint e = Endpoint.open("http://127.0.0.1:11434/v1", KEY, "llama3", false)) {
      assertThat(e.description()).doesNotContain(KEY);
    }
  }
}
