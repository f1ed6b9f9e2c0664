package dev.llmstream.groq.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A serial loop over an inbox of messages ("work in progress" counter): whichever thread posts first runs
 * the loop, others only enqueue, so {@link #handle} never runs concurrently with itself and the state it
 * touches needs no lock. What {@link #handle} throws (a {@link VirtualMachineError} aside) goes to
 * {@link #onUnexpected} and the loop goes on. The inbox is bounded by the owner's protocol. Thread-safe.
 */
abstract class SignalLoop {
  private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();

  /** Posts a message; runs the loop if no other thread does. */
  final void post(Object signal) {
    inbox.offer(signal);
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (; ; ) {
      Object s;
      while ((s = inbox.poll()) != null) {
        try {
          handle(s);
        } catch (Throwable t) {
          if (t instanceof VirtualMachineError) {
            throw (VirtualMachineError) t;
          }
          onUnexpected(t);
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  /** Handles one message, in the loop. */
  abstract void handle(Object signal);

  /** A message's handling threw. */
  abstract void onUnexpected(Throwable t);
}
