package dev.llmstream.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialDrainTest {

  @Test
  void anErrorThrownByAPassGoesToTheHandlerAndLeavesTheDrainUsable() {
    AtomicInteger passes = new AtomicInteger();
    List<Throwable> failures = new ArrayList<>();
    SerialDrain drain =
        SerialDrain.inline(
            "test",
            () -> {
              if (passes.incrementAndGet() == 1) {
                throw new StackOverflowError("deep user code");
              }
            },
            failures::add);

    drain.drain();
    assertThat(failures).singleElement().isInstanceOf(StackOverflowError.class);
    assertThat(passes).as("one more pass after the failed one").hasValue(2);

    drain.drain(); // a counter left above zero would swallow this signal
    assertThat(passes).hasValue(3);
    assertThat(drain.toString()).contains("wip=0");
  }

  @Test
  void aPassThatAlwaysThrowsStillCountsDownAndAThrowingHandlerIsContained() {
    AtomicInteger passes = new AtomicInteger();
    AtomicInteger handled = new AtomicInteger();
    SerialDrain drain =
        SerialDrain.inline(
            "test",
            () -> {
              passes.incrementAndGet();
              throw new AssertionError("always");
            },
            t -> {
              handled.incrementAndGet();
              throw new IllegalStateException("the handler fails too");
            });

    drain.drain();
    assertThat(passes).hasValue(3);
    assertThat(handled).hasValue(3);
    drain.drain();
    assertThat(passes).as("the next signal runs the loop again").hasValue(6);
  }

  @Test
  void signalsFromInsideAPassRunAnotherPassOnTheSameThreadNotNested() {
    AtomicInteger depth = new AtomicInteger();
    AtomicInteger maxDepth = new AtomicInteger();
    AtomicInteger passes = new AtomicInteger();
    SerialDrain[] holder = new SerialDrain[1];
    holder[0] =
        SerialDrain.inline(
            "test",
            () -> {
              maxDepth.accumulateAndGet(depth.incrementAndGet(), Math::max);
              if (passes.incrementAndGet() < 5) {
                holder[0].drain();
              }
              depth.decrementAndGet();
            },
            t -> {});
    holder[0].drain();
    assertThat(passes).hasValue(5);
    assertThat(maxDepth).hasValue(1);
  }

  @Test
  void aRejectingExecutorIsReportedOnceAndTheDrainStaysBusy() {
    AtomicInteger rejected = new AtomicInteger();
    AtomicInteger passes = new AtomicInteger();
    SerialDrain drain =
        SerialDrain.on(
            "lane",
            passes::incrementAndGet,
            t -> {},
            command -> {
              throw new RejectedExecutionException("shut down");
            },
            e -> rejected.incrementAndGet());
    drain.drain();
    drain.drain();
    assertThat(rejected).hasValue(1);
    assertThat(passes).hasValue(0);
  }

  @Test
  void aListenerErrorIsLoggedAndIgnored() {
    AtomicInteger after = new AtomicInteger();
    SerialDrain.callListener(
        org.slf4j.LoggerFactory.getLogger(SerialDrainTest.class),
        "test listener",
        () -> {
          throw new AssertionError("listener bug");
        });
    after.incrementAndGet();
    assertThat(after).hasValue(1);
  }
}
