package dev.llmstream.web;

import dev.llmstream.core.UiConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Options of one run, built with {@link #builder()}. Immutable and thread-safe; the builder is not.
 *
 * @param slot the owner's conversation: an owner has at most one running answer per slot
 * @param deadline how long the answer may take before it ends {@code FAILED} with a {@code TIMEOUT} error
 *     (through {@code CancellationToken.cancelAfter}), or null for none
 * @param ui the core's buffer options (UI-paced batches) for the answer
 * @param listener told when the run ends
 * @param attributes stored with the run ({@link dev.llmstream.web.spi.RunRecord#attributes()})
 */
public record RunOptions(
    String slot,
    @Nullable Duration deadline,
    UiConfig ui,
    RunListener listener,
    Map<String, String> attributes) {

  /** The slot used when none is given. */
  public static final String DEFAULT_SLOT = "default";

  private static final Pattern SLOT = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final RunListener NO_LISTENER = r -> {};

  /**
   * Validates and copies.
   *
   * @param slot the owner's conversation: an owner has at most one running answer per slot
   * @param deadline how long the answer may take before it ends {@code FAILED} with a {@code TIMEOUT} error
   *     (through {@code CancellationToken.cancelAfter}), or null for none
   * @param ui the core's buffer options (UI-paced batches) for the answer
   * @param listener told when the run ends
   * @param attributes stored with the run ({@link dev.llmstream.web.spi.RunRecord#attributes()})
   * @throws NullPointerException if a non-null component is null
   * @throws IllegalArgumentException if the slot or deadline is invalid
   */
  public RunOptions {
    Objects.requireNonNull(slot, "slot");
    if (!SLOT.matcher(slot).matches()) {
      throw new IllegalArgumentException("slot must be 1-64 characters of [A-Za-z0-9_-]");
    }
    if (deadline != null && (deadline.isZero() || deadline.isNegative())) {
      throw new IllegalArgumentException("deadline must be greater than zero, was " + deadline);
    }
    Objects.requireNonNull(ui, "ui");
    Objects.requireNonNull(listener, "listener");
    attributes = Map.copyOf(attributes);
  }

  /**
   * The defaults: slot {@value #DEFAULT_SLOT}, no deadline, {@link UiConfig#defaults()}, no listener.
   *
   * @return the defaults
   */
  public static RunOptions defaults() {
    return builder().build();
  }

  /**
   * A builder with the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether {@code slot} is a valid slot name.
   *
   * @param slot a candidate
   * @return whether it is 1-64 characters of {@code [A-Za-z0-9_-]}
   */
  public static boolean isValidSlot(@Nullable String slot) {
    return slot != null && SLOT.matcher(slot).matches();
  }

  /** Builds {@link RunOptions}. Not thread-safe. */
  public static final class Builder {
    private String slot = DEFAULT_SLOT;
    private @Nullable Duration deadline;
    private UiConfig ui = UiConfig.defaults();
    private RunListener listener = NO_LISTENER;
    private final Map<String, String> attributes = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The conversation slot.
     *
     * @param slot 1-64 characters of {@code [A-Za-z0-9_-]}
     * @return this builder
     * @throws IllegalArgumentException if invalid
     * @see RunOptions#slot()
     */
    public Builder slot(String slot) {
      if (!isValidSlot(slot)) {
        throw new IllegalArgumentException("slot must be 1-64 characters of [A-Za-z0-9_-]");
      }
      this.slot = slot;
      return this;
    }

    /**
     * The answer's deadline.
     *
     * @param deadline greater than zero
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     * @see RunOptions#deadline()
     */
    public Builder deadline(Duration deadline) {
      Objects.requireNonNull(deadline, "deadline");
      if (deadline.isZero() || deadline.isNegative()) {
        throw new IllegalArgumentException("deadline must be greater than zero, was " + deadline);
      }
      this.deadline = deadline;
      return this;
    }

    /**
     * The core's buffer options.
     *
     * @param ui the options
     * @return this builder
     * @see RunOptions#ui()
     */
    public Builder ui(UiConfig ui) {
      this.ui = Objects.requireNonNull(ui, "ui");
      return this;
    }

    /**
     * The end listener.
     *
     * @param listener told when the run ends
     * @return this builder
     * @see RunOptions#listener()
     */
    public Builder listener(RunListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Adds an attribute stored with the run.
     *
     * @param key the key
     * @param value the value
     * @return this builder
     * @see RunOptions#attributes()
     */
    public Builder attribute(String key, String value) {
      attributes.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Builds the options.
     *
     * @return immutable options
     */
    public RunOptions build() {
      return new RunOptions(slot, deadline, ui, listener, attributes);
    }
  }
}
