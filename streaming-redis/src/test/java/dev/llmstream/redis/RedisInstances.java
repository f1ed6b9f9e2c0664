package dev.llmstream.redis;

import dev.llmstream.web.AnswerRuns;
import dev.llmstream.core.ChatMessage;
import dev.llmstream.core.ChatRequest;
import dev.llmstream.core.StreamScheduler;
import dev.llmstream.groq.GroqProvider;
import dev.llmstream.redis.RedisRunStore;
import dev.llmstream.testkit.FakeGroqServer;
import dev.llmstream.testkit.RecordedRequest;
import dev.llmstream.testkit.ResponseScript;
import dev.llmstream.web.spi.RunStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Several relay instances in one JVM, each with its own {@link RedisRunStore} (own connections), its own
 * {@link AnswerRuns} and a lease watcher, sharing one real Redis and one fake upstream whose answers can be
 * continued from a prefill. {@link #kill(int)} makes an instance vanish as a {@code kill -9} would, as far as
 * Redis and the upstream can tell: its store's connections drop at once, so it renews no lease and writes
 * nothing more.
 */
final class RedisInstances implements AutoCloseable {
  static final Duration LEASE = Duration.ofMillis(600);
  static final Duration WATCH = Duration.ofMillis(100);
  /** How long a waiting reader survives a Redis outage. */
  static final Duration OUTAGE_LIMIT = Duration.ofSeconds(3);
  /** Tokens per answer. */
  static final int TOKENS = 150;

  final FakeGroqServer fake;
  final GroqProvider provider;
  final String redisUri;
  final String prefix = "it" + UUID.randomUUID() + ":";
  final List<Instance> instances = new ArrayList<>();
  /** Timers (lease renewals above all) on a thread of their own, as the web example does. */
  private final ScheduledExecutorService timerThread = Executors.newSingleThreadScheduledExecutor();
  private final StreamScheduler timers = StreamScheduler.of(timerThread);

  /** One relay instance. */
  static final class Instance {
    final RedisRunStore store;
    final AnswerRuns runs;
    final RunStore.Registration watch;
    boolean dead;

    Instance(RedisRunStore store, AnswerRuns runs, RunStore.Registration watch) {
      this.store = store;
      this.runs = runs;
      this.watch = watch;
    }
  }

  private final Duration lease;

  RedisInstances(String redisUri, int n, double tokensPerSecond) {
    this(redisUri, n, tokensPerSecond, LEASE);
  }

  RedisInstances(String redisUri, int n, double tokensPerSecond, Duration lease) {
    this.redisUri = redisUri;
    this.lease = lease;
    fake = FakeGroqServer.builder().dispatcher(r -> script(r, tokensPerSecond)).build().start();
    provider = GroqProvider.builder().baseUrl(fake.baseUrl()).apiKey("test-key").defaultModel("test-model").build();
    for (int i = 0; i < n; i++) {
      instances.add(newInstance());
    }
  }

  Instance newInstance() {
    RedisRunStore store =
        RedisRunStore.builder(redisUri).keyPrefix(prefix).outageLimit(OUTAGE_LIMIT).scheduler(timers).build();
    AnswerRuns runs =
        AnswerRuns.builder(provider).store(store).scheduler(timers).lease(lease).keepRunsWithoutReaders().build();
    return new Instance(store, runs, store.watchLeases(runs, WATCH));
  }

  AnswerRuns runs(int i) {
    return instances.get(i).runs;
  }

  /** Kills instance {@code i} (its connections to Redis drop) and puts a fresh one in its place. */
  void kill(int i) {
    Instance dead = instances.get(i);
    dead.dead = true;
    dead.watch.close();
    dead.store.close(); // from Redis' point of view the instance is gone
    dead.runs.close(); // its producers stop; their writes are refused by the closed store
    instances.set(i, newInstance());
  }

  private static ResponseScript script(RecordedRequest r, double tokensPerSecond) {
    String answer = answer(r.lastUserMessage());
    return ResponseScript.continuing(answer, r).toBuilder().tokensPerSecond(tokensPerSecond).build();
  }

  /** The answer to a prompt: {@link #TOKENS} tokens named after the prompt, some with quotes and accents. */
  static String answer(String prompt) {
    return LongStream.range(0, TOKENS)
        .mapToObj(k -> prompt + "." + k + (k % 7 == 0 ? " \"é\" " : " "))
        .collect(Collectors.joining());
  }

  static ChatRequest ask(String prompt) {
    return ChatRequest.ofUser(prompt);
  }

  @Override
  public void close() {
    for (Instance i : instances) {
      i.watch.close();
      i.runs.close();
      i.store.close();
    }
    provider.close();
    fake.close();
    timerThread.shutdownNow();
  }
}
