/**
 * The provider-neutral streaming API of llmstream: {@link dev.llmstream.core.TokenStream}, cancellation,
 * state, batching to a UI ({@link dev.llmstream.core.UiConnection#connect}), typed errors and the injected clock; and
 * the {@code spi} package that providers implement.
 *
 * <p>Exports the API packages only, to every module alike; {@code dev.llmstream.core.internal} and
 * {@code dev.llmstream.core.internal.retry} stay inside the module. A modular
 * application needs nothing but {@code requires dev.llmstream.core;} (or a provider's module, which implies
 * this one): the nullness annotations of the API come along with it.
 */
module dev.llmstream.core {
  // JSpecify's @Nullable/@NullMarked are part of the API's signatures.
  requires transitive org.jspecify;
  requires org.slf4j;
  // Executes the retry model (internal.retry) behind StreamSource's factories; not part of the API.
  requires dev.failsafe.core;

  exports dev.llmstream.core;
  exports dev.llmstream.core.spi;
  // Nothing else, not even to our own provider: dev.llmstream.groq uses the spi package (recovery, the
  // retries before the first token and the listener instrumentation are factories on spi.StreamSource).
}
