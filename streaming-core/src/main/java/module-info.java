/**
 * The provider-neutral streaming API of llmstream: {@link dev.llmstream.core.TokenStream}, cancellation,
 * state, batching to a UI ({@link dev.llmstream.core.UiConnection#connect}), typed errors and the injected clock; and
 * the {@code spi} package that providers implement.
 *
 * <p>Exports the API packages only; {@code dev.llmstream.core.internal} stays inside the module. A modular
 * application needs nothing but {@code requires dev.llmstream.core;} (or a provider's module, which implies
 * this one): the nullness annotations of the API come along with it.
 */
@SuppressWarnings("module") // the qualified export names a module compiled after this one
module dev.llmstream.core {
  // JSpecify's @Nullable/@NullMarked are part of the API's signatures.
  requires transitive org.jspecify;
  requires org.slf4j;
  // Executes the retry model (internal.retry); not part of the API.
  requires dev.failsafe.core;

  exports dev.llmstream.core;
  exports dev.llmstream.core.spi;
  // The provider-level instrumentation (StreamTraceImpl, InstrumentedSource) is shared with our own
  // provider only: a qualified export, invisible to every other module.
  exports dev.llmstream.core.internal to dev.llmstream.groq;
  exports dev.llmstream.core.internal.retry to dev.llmstream.groq;
}
