package dev.llmstream.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A provider-neutral chat-completion request: the conversation and the sampling options. Build one with
 * {@link #builder()}; {@link #toBuilder()} copies it for a variation (a follow-up turn, a continuation).
 *
 * <p>Immutable and thread-safe. Optional values are {@code null} when not set, so the provider's default
 * applies. {@link #toString()} omits message contents.
 */
public final class ChatRequest {
  private final @Nullable String model;
  private final List<ChatMessage> messages;
  private final @Nullable Double temperature;
  private final @Nullable Double topP;
  private final @Nullable Integer maxTokens;
  private final List<String> stop;
  private final @Nullable Long seed;
  private final List<ToolDefinition> tools;
  private final @Nullable String toolChoice;
  private final @Nullable String responseFormat;
  private final @Nullable String reasoningEffort;
  private final @Nullable String reasoningFormat;
  private final @Nullable String user;
  private final Map<String, Object> extras;

  private ChatRequest(Builder b) {
    this.model = b.model;
    this.messages = List.copyOf(b.messages);
    this.temperature = b.temperature;
    this.topP = b.topP;
    this.maxTokens = b.maxTokens;
    this.stop = List.copyOf(b.stop);
    this.seed = b.seed;
    this.tools = List.copyOf(b.tools);
    this.toolChoice = b.toolChoice;
    this.responseFormat = b.responseFormat;
    this.reasoningEffort = b.reasoningEffort;
    this.reasoningFormat = b.reasoningFormat;
    this.user = b.user;
    this.extras = Collections.unmodifiableMap(new LinkedHashMap<>(b.extras));
  }

  /**
   * Starts a new request.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A request with one user message and the provider's default model.
   *
   * @param userMessage what the user asked
   * @return the request
   * @throws IllegalArgumentException if {@code userMessage} is blank
   */
  public static ChatRequest ofUser(String userMessage) {
    return builder().addMessage(ChatMessage.user(userMessage)).build();
  }

  /**
   * A builder holding this request's values.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.model = model;
    b.messages.addAll(messages);
    b.temperature = temperature;
    b.topP = topP;
    b.maxTokens = maxTokens;
    b.stop.addAll(stop);
    b.seed = seed;
    b.tools.addAll(tools);
    b.toolChoice = toolChoice;
    b.responseFormat = responseFormat;
    b.reasoningEffort = reasoningEffort;
    b.reasoningFormat = reasoningFormat;
    b.user = user;
    b.extras.putAll(extras);
    return b;
  }

  /**
   * The model id, or {@code null} for the provider's default model.
   *
   * @return the model
   * @see Builder#model(String)
   */
  public @Nullable String model() {
    return model;
  }

  /**
   * The conversation, oldest first; never empty.
   *
   * @return the messages
   * @see Builder#addMessage(ChatMessage)
   */
  public List<ChatMessage> messages() {
    return messages;
  }

  /**
   * The sampling temperature.
   *
   * @return the temperature, or {@code null}
   * @see Builder#temperature(double)
   */
  public @Nullable Double temperature() {
    return temperature;
  }

  /**
   * The nucleus-sampling probability mass.
   *
   * @return top_p, or {@code null}
   * @see Builder#topP(double)
   */
  public @Nullable Double topP() {
    return topP;
  }

  /**
   * The maximum number of tokens to generate ({@code max_completion_tokens}).
   *
   * @return the limit, or {@code null}
   * @see Builder#maxTokens(int)
   */
  public @Nullable Integer maxTokens() {
    return maxTokens;
  }

  /**
   * Stop sequences.
   *
   * @return the stop sequences (empty when none)
   * @see Builder#stop(List)
   */
  public List<String> stop() {
    return stop;
  }

  /**
   * The sampling seed.
   *
   * @return the seed, or {@code null}
   * @see Builder#seed(long)
   */
  public @Nullable Long seed() {
    return seed;
  }

  /**
   * Tools the model may call.
   *
   * @return the tools (empty when none)
   * @see Builder#addTool(ToolDefinition)
   */
  public List<ToolDefinition> tools() {
    return tools;
  }

  /**
   * The tool choice: {@code auto}, {@code none}, {@code required}, or a function name.
   *
   * @return the choice, or {@code null}
   * @see Builder#toolChoice(String)
   */
  public @Nullable String toolChoice() {
    return toolChoice;
  }

  /**
   * The response format type, such as {@code json_object}.
   *
   * @return the format, or {@code null}
   * @see Builder#responseFormat(String)
   */
  public @Nullable String responseFormat() {
    return responseFormat;
  }

  /**
   * The reasoning effort for reasoning models ({@code low}, {@code medium}, {@code high}, ...).
   *
   * @return the effort, or {@code null}
   * @see Builder#reasoningEffort(String)
   */
  public @Nullable String reasoningEffort() {
    return reasoningEffort;
  }

  /**
   * How reasoning is returned ({@code parsed}, {@code raw}, {@code hidden}; Groq).
   *
   * @return the format, or {@code null}
   * @see Builder#reasoningFormat(String)
   */
  public @Nullable String reasoningFormat() {
    return reasoningFormat;
  }

  /**
   * An end-user id for the provider's abuse monitoring.
   *
   * @return the user id, or {@code null}
   * @see Builder#user(String)
   */
  public @Nullable String user() {
    return user;
  }

  /**
   * Provider-specific fields sent as they are (values: strings, numbers, booleans, lists, maps).
   *
   * @return the extras (empty when none)
   * @see Builder#extra(String, Object)
   */
  public Map<String, Object> extras() {
    return extras;
  }

  @Override
  public String toString() {
    return "ChatRequest[model="
        + model
        + ", messages="
        + messages.size()
        + ", maxTokens="
        + maxTokens
        + ", tools="
        + tools.size()
        + "]";
  }

  /**
   * Builds a {@link ChatRequest}. Each setter validates its argument at once and names it in the error.
   * Not thread-safe; {@link #build()} takes a snapshot, so a builder can be reused.
   */
  public static final class Builder {
    private @Nullable String model;
    private final List<ChatMessage> messages = new ArrayList<>();
    private @Nullable Double temperature;
    private @Nullable Double topP;
    private @Nullable Integer maxTokens;
    private final List<String> stop = new ArrayList<>();
    private @Nullable Long seed;
    private final List<ToolDefinition> tools = new ArrayList<>();
    private @Nullable String toolChoice;
    private @Nullable String responseFormat;
    private @Nullable String reasoningEffort;
    private @Nullable String reasoningFormat;
    private @Nullable String user;
    private final Map<String, Object> extras = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the model id; without it the provider's default model is used.
     *
     * @param model such as {@code llama-3.3-70b-versatile}
     * @return this builder
     * @throws NullPointerException if {@code model} is null
     * @throws IllegalArgumentException if {@code model} is blank
     */
    public Builder model(String model) {
      this.model = requireNonBlank(model, "model");
      return this;
    }

    /**
     * Appends a message to the conversation.
     *
     * @param message the message
     * @return this builder
     * @throws NullPointerException if {@code message} is null
     */
    public Builder addMessage(ChatMessage message) {
      messages.add(Objects.requireNonNull(message, "message"));
      return this;
    }

    /**
     * Replaces the conversation.
     *
     * @param messages the messages, oldest first
     * @return this builder
     * @throws NullPointerException if {@code messages} or an element is null
     */
    public Builder messages(List<ChatMessage> messages) {
      Objects.requireNonNull(messages, "messages");
      List<ChatMessage> copy = new ArrayList<>(messages.size());
      for (ChatMessage m : messages) {
        copy.add(Objects.requireNonNull(m, "messages element"));
      }
      this.messages.clear();
      this.messages.addAll(copy);
      return this;
    }

    /**
     * Sets the sampling temperature.
     *
     * @param temperature from 0 to 2
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder temperature(double temperature) {
      if (!(temperature >= 0 && temperature <= 2)) {
        throw new IllegalArgumentException("temperature must be in [0, 2], was " + temperature);
      }
      this.temperature = temperature;
      return this;
    }

    /**
     * Sets nucleus sampling.
     *
     * @param topP from 0 to 1
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder topP(double topP) {
      if (!(topP >= 0 && topP <= 1)) {
        throw new IllegalArgumentException("topP must be in [0, 1], was " + topP);
      }
      this.topP = topP;
      return this;
    }

    /**
     * Sets the maximum number of tokens to generate.
     *
     * @param maxTokens at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxTokens(int maxTokens) {
      if (maxTokens < 1) {
        throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * Sets the stop sequences.
     *
     * @param stop up to 4 non-empty sequences
     * @return this builder
     * @throws IllegalArgumentException if more than 4 or one is empty
     */
    public Builder stop(List<String> stop) {
      Objects.requireNonNull(stop, "stop");
      if (stop.size() > 4) {
        throw new IllegalArgumentException("stop allows at most 4 sequences, was " + stop.size());
      }
      for (String s : stop) {
        if (Objects.requireNonNull(s, "stop element").isEmpty()) {
          throw new IllegalArgumentException("stop sequences must not be empty");
        }
      }
      this.stop.clear();
      this.stop.addAll(stop);
      return this;
    }

    /**
     * Sets the sampling seed for (best-effort) deterministic answers.
     *
     * @param seed any value
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Adds a tool the model may call.
     *
     * @param tool the tool
     * @return this builder
     * @throws NullPointerException if {@code tool} is null
     * @throws IllegalArgumentException if a tool of that name was already added
     */
    public Builder addTool(ToolDefinition tool) {
      Objects.requireNonNull(tool, "tool");
      for (ToolDefinition t : tools) {
        if (t.name().equals(tool.name())) {
          throw new IllegalArgumentException("tool '" + tool.name() + "' was already added");
        }
      }
      tools.add(tool);
      return this;
    }

    /**
     * Sets the tool choice.
     *
     * @param toolChoice {@code auto}, {@code none}, {@code required}, or the name of a function
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder toolChoice(String toolChoice) {
      this.toolChoice = requireNonBlank(toolChoice, "toolChoice");
      return this;
    }

    /**
     * Sets the response format type.
     *
     * @param type {@code text} or {@code json_object}
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder responseFormat(String type) {
      this.responseFormat = requireNonBlank(type, "responseFormat");
      return this;
    }

    /**
     * Sets the reasoning effort of a reasoning model.
     *
     * @param effort such as {@code low}, {@code medium}, {@code high}
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder reasoningEffort(String effort) {
      this.reasoningEffort = requireNonBlank(effort, "reasoningEffort");
      return this;
    }

    /**
     * Sets how reasoning is returned (Groq: {@code parsed}, {@code raw}, {@code hidden}).
     *
     * @param format the format
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder reasoningFormat(String format) {
      this.reasoningFormat = requireNonBlank(format, "reasoningFormat");
      return this;
    }

    /**
     * Sets an end-user id for the provider's abuse monitoring.
     *
     * @param user the id
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder user(String user) {
      this.user = requireNonBlank(user, "user");
      return this;
    }

    /**
     * Adds a provider-specific field, sent as it is.
     *
     * @param key the JSON field name
     * @param value a string, number, boolean, list or map of those
     * @return this builder
     * @throws IllegalArgumentException if {@code key} is blank or names a field this builder sets
     */
    public Builder extra(String key, Object value) {
      requireNonBlank(key, "extra key");
      Objects.requireNonNull(value, "extra value");
      if (key.equals("stream") || key.equals("messages")) {
        throw new IllegalArgumentException("extra key '" + key + "' is managed by the library");
      }
      extras.put(key, value);
      return this;
    }

    /**
     * Builds the request.
     *
     * @return an immutable request
     * @throws IllegalArgumentException if no message was added
     */
    public ChatRequest build() {
      if (messages.isEmpty()) {
        throw new IllegalArgumentException("messages must not be empty: add at least one message");
      }
      return new ChatRequest(this);
    }

    private static String requireNonBlank(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }
  }
}
