package dev.llmstream.spring.actuate;

import dev.llmstream.core.ChatProvider;
import dev.llmstream.spring.internal.RunOutcomes;
import dev.llmstream.web.AnswerRuns;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the answers without calling the model (a health probe must cost no tokens and no rate
 * limit): {@code UP} while the provider is configured, fewer than half of the recent runs (at least
 * {@value #MIN_RUNS} of them) failed and the shared run store (Redis), when one is used, answers its
 * probe in time; else {@code DOWN}. Details: the provider type, recent runs and failures, the error rate,
 * runs being produced and open readers, and the store's target (host and port), reachability and error
 * kind; never the key, a password, a prompt or an owner. Thread-safe; blocks at most for the probe's
 * timeout.
 */
public final class LlmStreamHealthIndicator implements HealthIndicator {
  /** Fewer recent runs than this never make the indicator DOWN (one failure is not an outage). */
  public static final int MIN_RUNS = 10;

  /** The error rate at which the indicator is DOWN. */
  public static final double MAX_ERROR_RATE = 0.5;

  private final ChatProvider provider;
  private final AnswerRuns runs;
  private final RunOutcomes outcomes;
  private final @Nullable RunStoreProbe store;

  /**
   * Creates the indicator for runs in memory.
   *
   * @param provider the provider (only its type is shown)
   * @param runs the runs (counters only)
   * @param outcomes recent run outcomes
   */
  LlmStreamHealthIndicator(ChatProvider provider, AnswerRuns runs, RunOutcomes outcomes) {
    this(provider, runs, outcomes, null);
  }

  /**
   * Creates the indicator.
   *
   * @param provider the provider (only its type is shown)
   * @param runs the runs (counters only)
   * @param outcomes recent run outcomes
   * @param store the shared store's probe, or null when the runs are in memory
   */
  LlmStreamHealthIndicator(
      ChatProvider provider, AnswerRuns runs, RunOutcomes outcomes, @Nullable RunStoreProbe store) {
    this.provider = provider;
    this.runs = runs;
    this.outcomes = outcomes;
    this.store = store;
  }

  @Override
  public Health health() {
    RunOutcomes.Snapshot s = outcomes.snapshot();
    boolean failing = s.runs() >= MIN_RUNS && s.errorRate() >= MAX_ERROR_RATE;
    RunStoreProbe.Result r = store == null ? null : store.probe();
    boolean down = failing || (r != null && !r.reachable());
    Health.Builder h = down ? Health.down() : Health.up();
    if (r != null) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("type", r.store());
      d.put("target", r.target());
      d.put("reachable", r.reachable());
      if (r.error() != null) {
        d.put("error", r.error());
      }
      h.withDetail("store", d);
    }
    return h
        .withDetail("provider", provider.getClass().getSimpleName())
        .withDetail("configured", true)
        .withDetail("recentRuns", s.runs())
        .withDetail("recentFailures", s.failures())
        .withDetail("errorRate", Math.round(s.errorRate() * 1000) / 1000.0)
        .withDetail("producing", runs.producing())
        .withDetail("readers", runs.readers())
        .build();
  }
}
