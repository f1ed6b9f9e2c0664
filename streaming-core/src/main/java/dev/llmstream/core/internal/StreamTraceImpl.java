package dev.llmstream.core.internal;

import dev.llmstream.core.ErrorKind;
import dev.llmstream.core.StreamState;
import dev.llmstream.core.StreamTrace;
import dev.llmstream.core.Usage;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The mutable {@link StreamTrace} behind {@link InstrumentedSource}. Every method is
 * {@code synchronized} on this object: short updates and reads, no user code inside. Times are
 * scheduler nanos; -1 means "not yet".
 */
public final class StreamTraceImpl implements StreamTrace {
  private final String providerName;
  private final String requestModel;
  private final @Nullable String serverAddress;
  private final int serverPort;
  private final LongSupplier clock;

  private @Nullable String responseModel;
  private @Nullable String requestId;
  private @Nullable StreamState finalState;
  private @Nullable ErrorKind errorKind;
  private @Nullable Throwable error;
  private @Nullable Usage usage;
  private int retries;
  private int recoveries;
  private long chunks;
  private long sentAt = -1;
  private long headersAt = -1;
  private long firstChunkAt = -1;
  private long lastChunkAt = -1;
  private long cancelAt = -1;
  private long endAt = -1;

  /**
   * Creates the trace of one stream.
   *
   * @param providerName the provider ({@code gen_ai.provider.name})
   * @param requestModel the requested model
   * @param serverAddress the host, or null
   * @param serverPort the port, or -1
   * @param clock the provider's scheduler clock
   */
  public StreamTraceImpl(
      String providerName, String requestModel, @Nullable String serverAddress, int serverPort, LongSupplier clock) {
    this.providerName = providerName;
    this.requestModel = requestModel;
    this.serverAddress = serverAddress;
    this.serverPort = serverPort;
    this.clock = clock;
  }

  // ------------------------------------------------------------------ updates (the runtime's)

  synchronized boolean sent() {
    if (sentAt >= 0) {
      return false;
    }
    sentAt = clock.getAsLong();
    return true;
  }

  synchronized boolean headers(@Nullable String id) {
    if (endAt >= 0) {
      return false;
    }
    headersAt = clock.getAsLong();
    if (id != null) {
      requestId = id;
    }
    return true;
  }

  /** Returns -2 if ended, -1 for the first chunk, else the gap since the previous chunk. */
  synchronized long chunk() {
    if (endAt >= 0) {
      return -2;
    }
    long now = clock.getAsLong();
    chunks++;
    long previous = lastChunkAt;
    lastChunkAt = now;
    if (firstChunkAt < 0) {
      firstChunkAt = now;
      return -1;
    }
    return Math.max(0, now - previous);
  }

  /** A provider retried the request before the first token (after a 429 or 5xx, say). */
  public synchronized void retried() {
    if (endAt < 0) {
      retries++;
    }
  }

  synchronized boolean recovering() {
    if (endAt >= 0) {
      return false;
    }
    recoveries++;
    return true;
  }

  synchronized void usage(Usage u) {
    if (endAt < 0) {
      usage = u;
    }
  }

  /**
   * Records the model the server named (a provider calls this once it knows).
   *
   * @param model the response model
   */
  public synchronized void responseModel(String model) {
    if (endAt < 0 && responseModel == null) {
      responseModel = model;
    }
  }

  synchronized boolean cancelRequested() {
    if (endAt >= 0 || cancelAt >= 0) {
      return false;
    }
    cancelAt = clock.getAsLong();
    return true;
  }

  synchronized boolean end(StreamState state, @Nullable ErrorKind kind, @Nullable Throwable failure) {
    if (endAt >= 0) {
      return false;
    }
    endAt = clock.getAsLong();
    if (sentAt < 0) {
      sentAt = endAt;
    }
    finalState = state;
    errorKind = kind;
    error = failure;
    return true;
  }

  // ------------------------------------------------------------------ StreamTrace

  @Override
  public String providerName() {
    return providerName;
  }

  @Override
  public String requestModel() {
    return requestModel;
  }

  @Override
  public synchronized @Nullable String responseModel() {
    return responseModel;
  }

  @Override
  public synchronized @Nullable String requestId() {
    return requestId;
  }

  @Override
  public @Nullable String serverAddress() {
    return serverAddress;
  }

  @Override
  public int serverPort() {
    return serverPort;
  }

  @Override
  public synchronized @Nullable StreamState finalState() {
    return finalState;
  }

  @Override
  public synchronized String outcome() {
    if (finalState == null) {
      return "running";
    }
    switch (finalState) {
      case COMPLETED:
        return recoveries > 0 ? "recovered" : "completed";
      case CANCELLED:
        return "cancelled";
      default:
        return "failed";
    }
  }

  @Override
  public synchronized @Nullable ErrorKind errorKind() {
    return errorKind;
  }

  @Override
  public synchronized @Nullable Throwable error() {
    return error;
  }

  @Override
  public synchronized int attempts() {
    return 1 + retries + recoveries;
  }

  @Override
  public synchronized int retries() {
    return retries;
  }

  @Override
  public synchronized int recoveries() {
    return recoveries;
  }

  @Override
  public synchronized long chunks() {
    return chunks;
  }

  @Override
  public synchronized @Nullable Usage usage() {
    return usage;
  }

  @Override
  public synchronized @Nullable Duration timeToHeaders() {
    return since(headersAt);
  }

  @Override
  public synchronized @Nullable Duration timeToFirstChunk() {
    return since(firstChunkAt);
  }

  @Override
  public synchronized Duration duration() {
    if (sentAt < 0) {
      return Duration.ZERO;
    }
    long until = endAt >= 0 ? endAt : clock.getAsLong();
    return Duration.ofNanos(Math.max(0, until - sentAt));
  }

  @Override
  public synchronized @Nullable Duration cancelLatency() {
    return cancelAt < 0 || endAt < 0 ? null : Duration.ofNanos(Math.max(0, endAt - cancelAt));
  }

  @Override
  public synchronized double chunksPerSecond() {
    long span = lastChunkAt - firstChunkAt;
    return chunks < 2 || span <= 0 ? 0 : (chunks - 1) * 1e9 / span;
  }

  private @Nullable Duration since(long at) {
    return at < 0 || sentAt < 0 ? null : Duration.ofNanos(Math.max(0, at - sentAt));
  }

  /** Attributes and timings; no prompt, answer or secret. */
  @Override
  public synchronized String toString() {
    return "StreamTrace[provider=" + providerName
        + ", model=" + requestModel
        + ", responseModel=" + responseModel
        + ", requestId=" + requestId
        + ", server=" + serverAddress + (serverPort >= 0 ? ":" + serverPort : "")
        + ", outcome=" + outcome()
        + ", error=" + errorKind
        + ", attempts=" + attempts()
        + ", chunks=" + chunks
        + ", ttfc=" + timeToFirstChunk()
        + ", duration=" + duration()
        + ", cancelLatency=" + cancelLatency()
        + "]";
  }
}
