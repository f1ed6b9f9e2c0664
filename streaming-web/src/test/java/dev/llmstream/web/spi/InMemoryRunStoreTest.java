package dev.llmstream.web.spi;

import dev.llmstream.web.testing.RunStoreContract;
import dev.llmstream.testkit.VirtualScheduler;

/** The in-memory store against the {@link RunStore} contract. */
class InMemoryRunStoreTest extends RunStoreContract {
  @Override
  protected RunStore newStore(VirtualScheduler clock) {
    return RunStore.inMemory(clock);
  }
}
