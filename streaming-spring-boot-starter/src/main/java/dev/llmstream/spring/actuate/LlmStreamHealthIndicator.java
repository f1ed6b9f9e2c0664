package dev.llmstream.spring.actuate;

import dev.llmstream.core.ChatProvider;
import dev.llmstream.spring.internal.RunOutcomes;
import dev.llmstream.web.AnswerRuns;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the answers without calling the model (a health probe must cost no tokens and no rate
 * limit): {@code UP} while the provider is configured and fewer than half of the recent runs (at least
 * {@value #MIN_RUNS} of them) failed, else {@code DOWN}. Details: the provider type, recent runs and
 * failures, the error rate, runs being produced and open readers; never the key, a prompt or an owner.
 * Thread-safe.
 */
public final class LlmStreamHealthIndicator implements HealthIndicator {
  /** Fewer recent runs than this never make the indicator DOWN (one failure is not an outage). */
  public static final int MIN_RUNS = 10;

  /** The error rate at which the indicator is DOWN. */
  public static final double MAX_ERROR_RATE = 0.5;

  private final ChatProvider provider;
  private final AnswerRuns runs;
  private final RunOutcomes outcomes;

  /**
   * Creates the indicator.
   *
   * @param provider the provider (only its type is shown)
   * @param runs the runs (counters only)
   * @param outcomes recent run outcomes
   */
  public LlmStreamHealthIndicator(ChatProvider provider, AnswerRuns runs, RunOutcomes outcomes) {
    this.provider = provider;
    this.runs = runs;
    this.outcomes = outcomes;
  }

  @Override
  public Health health() {
    RunOutcomes.Snapshot s = outcomes.snapshot();
    boolean failing = s.runs() >= MIN_RUNS && s.errorRate() >= MAX_ERROR_RATE;
    return (failing ? Health.down() : Health.up())
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
