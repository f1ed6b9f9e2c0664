package dev.llmstream.redis;

import dev.llmstream.redis.testing.RedisTestServer;
import dev.llmstream.web.testing.CollectingSink;
import dev.llmstream.web.testing.SseClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many readers of one answer on two instances cost no connection and no thread each: every instance keeps
 * its fixed connections (commands, pub/sub, two tail lanes), and every reader ends with the exact answer.
 */
class RedisReadersTest {
  @RegisterExtension static final RedisTestServer REDIS = new RedisTestServer();
  private static final int READERS = 400;

  @Test
  void fourHundredReadersOnTwoInstancesShareTheirFixedConnections() throws Exception {
    RedisClient admin = RedisClient.create(REDIS.uri());
    try (RedisInstances cluster = new RedisInstances(REDIS.uri(), 2, 20, java.time.Duration.ofSeconds(3));
        StatefulRedisConnection<String, String> c = admin.connect()) {
      long connectionsBefore = clients(c);
      int threadsBefore = Thread.activeCount();
      String id = cluster.runs(0).start("dave", RedisInstances.ask("many")).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      List<CollectingSink> sinks = new ArrayList<>();
      for (int i = 0; i < READERS; i++) {
        CollectingSink sink = new CollectingSink();
        cluster.runs(i % 2).open("dave", id, 0).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow()
            .start(sink);
        sinks.add(sink);
      }
      assertThat(sinks.get(READERS - 1).closed).isNotDone(); // all of them are following the live answer
      assertThat(clients(c)).as("Redis connections with %d readers", READERS).isEqualTo(connectionsBefore);
      assertThat(Thread.activeCount() - threadsBefore).as("threads added for %d readers", READERS).isLessThan(20);
      String expected = RedisInstances.answer("many");
      for (CollectingSink sink : sinks) {
        List<SseClient.Event> events = sink.closed.get(60, TimeUnit.SECONDS);
        assertThat(SseClient.text(events)).isEqualTo(expected);
        assertThat(SseClient.last(events).json().get("state").asText()).isEqualTo("COMPLETED");
      }
      System.out.println("[redis] taken over under this load: "
          + sinks.get(0).closed.get().stream().anyMatch(e -> e.type().equals("recovering")));
      System.out.println("[redis] " + READERS + " readers: " + connectionsBefore
          + " Redis connections (2 instances + this test's), threads added: " + (Thread.activeCount() - threadsBefore));
    } finally {
      admin.shutdown();
    }
  }

  private static long clients(StatefulRedisConnection<String, String> c) {
    return c.sync().clientList().lines().filter(l -> !l.isBlank()).count();
  }
}
