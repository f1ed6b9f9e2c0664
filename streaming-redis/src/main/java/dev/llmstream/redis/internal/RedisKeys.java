package dev.llmstream.redis.internal;

import dev.llmstream.web.spi.RunEvent;
import dev.llmstream.web.spi.RunStoreException;
import dev.llmstream.web.spi.RunStoreException.Reason;
import io.lettuce.core.StreamMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Key names, stream-entry conversion and the mapping of script answers to {@link RunStoreException}s.
 * Immutable.
 *
 * <p>Keys (prefix {@code llmstream:} by default; {@code {id}} is a hash tag so a run's two keys share a
 * slot): {@code run:{id}} hash (owner, slot, status, created, last id, lease holder and deadline, stop
 * reason, reader count, expiry, {@code a:*} attributes), {@code run:{id}:log} stream (one entry per event,
 * entry id {@code 0-<event id>}, fields {@code t} type and {@code d} data), {@code owner:<sha1(owner)>}
 * hash (slot → running run id), {@code running} sorted set (run id by lease deadline, for fail-over) and
 * the pub/sub channel {@code stop}.
 */
public final class RedisKeys {
  private final String prefix;

  /**
   * Creates the names under a prefix.
   *
   * @param prefix such as {@code llmstream:}
   */
  public RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  /** @return the prefix */
  public String prefix() {
    return prefix;
  }

  /**
   * @param runId a run id
   * @return the run's metadata hash
   */
  public String run(String runId) {
    return prefix + "run:{" + runId + "}";
  }

  /**
   * @param runId a run id
   * @return the run's event stream
   */
  public String log(String runId) {
    return run(runId) + ":log";
  }

  /**
   * @param owner an owner (hashed: the key name never shows it)
   * @return the owner's slot index
   */
  public String owner(String owner) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest(owner.getBytes(StandardCharsets.UTF_8));
      return prefix + "owner:" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JDK", e);
    }
  }

  /** @return the sorted set of running runs by lease deadline */
  public String running() {
    return prefix + "running";
  }

  /** @return the pub/sub channel for stop requests */
  public String stopChannel() {
    return prefix + "stop";
  }

  /**
   * The stream entry id of an event id.
   *
   * @param eventId the event id
   * @return {@code 0-<eventId>}
   */
  public static String entryId(long eventId) {
    return "0-" + eventId;
  }

  /**
   * Converts stream entries to events.
   *
   * @param messages entries as Lettuce returns them
   * @return the events
   */
  public static List<RunEvent> events(List<StreamMessage<String, String>> messages) {
    List<RunEvent> out = new ArrayList<>(messages.size());
    for (StreamMessage<String, String> m : messages) {
      out.add(event(m));
    }
    return out;
  }

  /**
   * Converts one stream entry.
   *
   * @param m the entry
   * @return the event
   */
  public static RunEvent event(StreamMessage<String, String> m) {
    Map<String, String> body = m.getBody();
    return new RunEvent(eventId(m.getId()), body.getOrDefault("t", ""), body.getOrDefault("d", ""));
  }

  /**
   * The event id of a stream entry id.
   *
   * @param entryId {@code 0-<id>}
   * @return the id
   */
  public static long eventId(String entryId) {
    return Long.parseLong(entryId.substring(entryId.indexOf('-') + 1));
  }

  /**
   * Maps a script's refusal to the SPI's exception.
   *
   * @param code the script's answer
   * @return the exception
   */
  public static RunStoreException refusal(String code) {
    return switch (code) {
      case "UNKNOWN", "U" -> unknown();
      case "LEASE" -> new RunStoreException(Reason.LEASE_LOST, "this producer no longer holds the run's lease");
      case "ORDER" -> new RunStoreException(Reason.OUT_OF_ORDER,
          "an event id is not after the last stored id, or the run has already finished");
      case "ENDED" -> new RunStoreException(Reason.OUT_OF_ORDER, "the run has already finished");
      case "SLOT" -> new RunStoreException(Reason.SLOT_BUSY,
          "an answer is already running in this conversation: stop it or wait for it to end");
      case "LIMIT" -> new RunStoreException(Reason.OWNER_LIMIT,
          "too many answers running at once: wait for one to end");
      case "DUP" -> new RunStoreException(Reason.DUPLICATE_ID, "the run id is already taken");
      default -> new RunStoreException(Reason.UNAVAILABLE, "unexpected answer from Redis: " + code);
    };
  }

  /** @return the unknown-run exception */
  public static RunStoreException unknown() {
    return new RunStoreException(Reason.UNKNOWN_RUN, "no such run (unknown id, or it expired)");
  }

  /**
   * Wraps a Redis failure.
   *
   * @param what the operation
   * @param cause the failure
   * @return an {@link Reason#UNAVAILABLE} exception, or {@code cause} if it is already a store exception
   */
  public static RunStoreException unavailable(String what, Throwable cause) {
    Throwable c = cause;
    while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof RunStoreException rse) {
      return rse;
    }
    return new RunStoreException(Reason.UNAVAILABLE,
        "Redis could not " + what + " (" + c.getClass().getSimpleName() + "); check that Redis is reachable, "
            + "then retry", c);
  }
}
