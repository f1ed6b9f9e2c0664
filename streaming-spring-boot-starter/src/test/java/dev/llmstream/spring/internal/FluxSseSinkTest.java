package dev.llmstream.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmstream.web.RunReader;
import dev.llmstream.web.SseConnection;
import dev.llmstream.web.SseSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.BaseSubscriber;

/** The relay's writes as {@code ServerSentEvent}s: fields, demand, acknowledgement, cancel. */
class FluxSseSinkTest {
  /** A reader that hands its sink to the test, and counts the relay's close notifications. */
  static final class FakeReader implements RunReader {
    final AtomicReference<SseSink> sink = new AtomicReference<>();
    final AtomicInteger clientClosed = new AtomicInteger();

    @Override
    public boolean hasMore() {
      return true;
    }

    @Override
    public SseConnection start(SseSink s) {
      sink.set(s);
      return new SseConnection() {
        @Override
        public void clientClosed() {
          clientClosed.incrementAndGet();
        }

        @Override
        public boolean isOpen() {
          return true;
        }
      };
    }
  }

  /** Requests only what the test asks for. */
  static final class Manual extends BaseSubscriber<ServerSentEvent<String>> {
    final List<ServerSentEvent<String>> got = new ArrayList<>();
    boolean completed;

    @Override
    protected void hookOnSubscribe(Subscription subscription) {}

    @Override
    protected void hookOnNext(ServerSentEvent<String> value) {
      got.add(value);
    }

    @Override
    protected void hookOnComplete() {
      completed = true;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void parsesThePreambleEventsAndTheHeartbeatWithOrWithoutTheSpace() {
    List<ServerSentEvent<String>> e =
        FluxSseSink.parse("retry: 1000\n\nid: 7\nevent: text\ndata: {\"t\":\"a: b\"}\n\n: hb\n\nid:8\nevent:done\ndata:{}\n\n");
    assertThat(e).hasSize(4);
    assertThat(e.get(0).retry()).isEqualTo(Duration.ofSeconds(1));
    assertThat(e.get(0).data()).isNull();
    assertThat(e.get(1).id()).isEqualTo("7");
    assertThat(e.get(1).event()).isEqualTo("text");
    assertThat(e.get(1).data()).isEqualTo("{\"t\":\"a: b\"}");
    assertThat(e.get(2).comment()).isEqualTo("hb");
    assertThat(e.get(2).event()).isNull();
    assertThat(e.get(3).id()).isEqualTo("8");
    assertThat(e.get(3).event()).isEqualTo("done");
  }

  @Test
  void eventsGoOutOnlyOnDemandAndTheWriteIsAcknowledgedWhenAllOfItWent() {
    FakeReader reader = new FakeReader();
    Manual sub = new Manual();
    FluxSseSink.events(reader).subscribe(sub);
    List<@Nullable Throwable> acks = new ArrayList<>();
    reader.sink.get().write(bytes("id: 1\nevent: text\ndata: {}\n\nid: 2\nevent: text\ndata: {}\n\nid: 3\nevent: text\ndata: {}\n\n"), acks::add);
    assertThat(sub.got).isEmpty();
    assertThat(acks).as("nothing acknowledged without demand").isEmpty();

    sub.request(1);
    assertThat(sub.got).extracting(ServerSentEvent::id).containsExactly("1");
    assertThat(acks).isEmpty();
    sub.request(2);
    assertThat(sub.got).extracting(ServerSentEvent::id).containsExactly("1", "2", "3");
    assertThat(acks).hasSize(1).containsOnlyNulls();

    reader.sink.get().write(bytes(": hb\n\n"), acks::add);
    assertThat(acks).as("waits for demand again").hasSize(1);
    sub.request(1);
    assertThat(sub.got.get(3).comment()).isEqualTo("hb");
    assertThat(acks).hasSize(2);

    reader.sink.get().close();
    assertThat(sub.completed).isTrue();
  }

  @Test
  void closingMidWriteCompletesTheStreamAndFailsThatWrite() {
    FakeReader reader = new FakeReader();
    Manual sub = new Manual();
    FluxSseSink.events(reader).subscribe(sub);
    List<@Nullable Throwable> acks = new ArrayList<>();
    reader.sink.get().write(bytes("id: 1\nevent: text\ndata: {}\n\n"), acks::add);
    reader.sink.get().close();
    assertThat(sub.completed).isTrue();
    assertThat(acks).hasSize(1);
    assertThat(acks.get(0)).isNotNull();
    sub.request(1);
    assertThat(sub.got).as("nothing after the end").isEmpty();
  }

  @Test
  void cancellingTheSubscriptionClosesTheRelayConnectionAndFailsAPendingWrite() {
    FakeReader reader = new FakeReader();
    Manual sub = new Manual();
    FluxSseSink.events(reader).subscribe(sub);
    List<@Nullable Throwable> acks = new ArrayList<>();
    reader.sink.get().write(bytes("id: 1\nevent: text\ndata: {}\n\n"), acks::add);
    sub.cancel();
    assertThat(reader.clientClosed.get()).isEqualTo(1);
    assertThat(acks).hasSize(1);
    assertThat(acks.get(0)).isNotNull().hasMessageContaining("closed");
    reader.sink.get().write(bytes(": hb\n\n"), acks::add);
    assertThat(acks).hasSize(2);
    assertThat(acks.get(1)).isNotNull();
    assertThat(sub.got).isEmpty();
  }
}
