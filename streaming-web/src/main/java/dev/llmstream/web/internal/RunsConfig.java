package dev.llmstream.web.internal;

import dev.llmstream.core.ChatProvider;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.web.spi.RunStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The built configuration of {@code AnswerRuns} (see its builder for each value). Immutable.
 *
 * @param provider the model provider
 * @param store the run store
 * @param ownsStore whether closing the runs closes the store
 * @param scheduler timers and clock
 * @param clock wall clock for creation times and the relay's send stamps
 * @param random run id source
 * @param maxRunningPerOwner running runs per owner
 * @param maxEventsPerRun log events per run
 * @param maxCharsPerRun log data characters per run
 * @param finishedTtl how long finished runs stay
 * @param heartbeat idle heartbeat interval
 * @param readerGrace time without readers before a stop, null = never
 * @param maxBatchEvents events per write
 * @param lease producer lease
 */
public record RunsConfig(
    ChatProvider provider,
    RunStore store,
    boolean ownsStore,
    StreamScheduler scheduler,
    Clock clock,
    SecureRandom random,
    int maxRunningPerOwner,
    int maxEventsPerRun,
    long maxCharsPerRun,
    Duration finishedTtl,
    Duration heartbeat,
    @Nullable Duration readerGrace,
    int maxBatchEvents,
    Duration lease) {}
