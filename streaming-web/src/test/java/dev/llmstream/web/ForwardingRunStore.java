package dev.llmstream.web;

import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunRecord;
import dev.llmstream.web.spi.RunStatus;
import dev.llmstream.web.spi.RunStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** A real store behind a forwarding shell, so a test can change one answer (another instance's view). */
class ForwardingRunStore implements RunStore {
  final RunStore delegate;

  ForwardingRunStore(RunStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletionStage<Void> create(RunRecord run, int maxRunningPerOwner) {
    return delegate.create(run, maxRunningPerOwner);
  }

  @Override
  public CompletionStage<Optional<RunRecord>> find(String runId) {
    return delegate.find(runId);
  }

  @Override
  public CompletionStage<Void> append(String runId, String producerId, List<RunEvent> events) {
    return delegate.append(runId, producerId, events);
  }

  @Override
  public CompletionStage<List<RunEvent>> read(String runId, long afterId, int maxEvents) {
    return delegate.read(runId, afterId, maxEvents);
  }

  @Override
  public Tail tail(String runId, long afterId, int maxEvents, TailListener listener) {
    return delegate.tail(runId, afterId, maxEvents, listener);
  }

  @Override
  public CompletionStage<Void> finish(String runId, String producerId, RunEvent done, RunStatus status, Duration ttl) {
    return delegate.finish(runId, producerId, done, status, ttl);
  }

  @Override
  public CompletionStage<Boolean> requestStop(String runId, String reason) {
    return delegate.requestStop(runId, reason);
  }

  @Override
  public Registration onStop(String runId, Consumer<String> listener) {
    return delegate.onStop(runId, listener);
  }

  @Override
  public CompletionStage<Boolean> claim(String runId, String producerId, Duration lease) {
    return delegate.claim(runId, producerId, lease);
  }

  @Override
  public CompletionStage<Long> addReaders(String runId, int delta) {
    return delegate.addReaders(runId, delta);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
