package dev.llmstream.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A provider-neutral chat-completion request: the conversation and the sampling options. Start from
 * {@link #ofUser(String)} or {@link #of(List)} and change what you need with the {@code with..} methods,
 * each of which returns a new request:
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.ofUser("hi").withModel("llama-3.3-70b-versatile").withMaxTokens(100);
 * ChatRequest followUp = request.withMessage(ChatMessage.assistant("Hello")).withMessage(ChatMessage.user("more"));
 * }</pre>
 *
 * <p>Immutable and thread-safe; values are validated at once and the error names the argument. Optional
 * values are {@code null} when not set, so the provider's default applies. Equality is identity.
 * {@link #toString()} omits message contents and extras.
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

  private ChatRequest(
      @Nullable String model,
      List<ChatMessage> messages,
      @Nullable Double temperature,
      @Nullable Double topP,
      @Nullable Integer maxTokens,
      List<String> stop,
      @Nullable Long seed,
      List<ToolDefinition> tools,
      @Nullable String toolChoice,
      @Nullable String responseFormat,
      @Nullable String reasoningEffort,
      @Nullable String reasoningFormat,
      @Nullable String user,
      Map<String, Object> extras) {
    this.model = model;
    this.messages = List.copyOf(messages);
    this.temperature = temperature;
    this.topP = topP;
    this.maxTokens = maxTokens;
    this.stop = List.copyOf(stop);
    this.seed = seed;
    this.tools = List.copyOf(tools);
    this.toolChoice = toolChoice;
    this.responseFormat = responseFormat;
    this.reasoningEffort = reasoningEffort;
    this.reasoningFormat = reasoningFormat;
    this.user = user;
    this.extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
  }

  /**
   * A request with one user message and the provider's default model.
   *
   * @param userMessage what the user asked
   * @return the request
   * @throws IllegalArgumentException if {@code userMessage} is blank
   */
  public static ChatRequest ofUser(String userMessage) {
    return of(List.of(ChatMessage.user(userMessage)));
  }

  /**
   * A request with this conversation and the provider's default model and options.
   *
   * @param messages the messages, oldest first
   * @return the request
   * @throws NullPointerException if {@code messages} or an element is null
   * @throws IllegalArgumentException if {@code messages} is empty
   */
  public static ChatRequest of(List<ChatMessage> messages) {
    return new ChatRequest(
        null, checkMessages(messages), null, null, null, List.of(), null, List.of(), null, null, null, null,
        null, Map.of());
  }

  /**
   * This request with another model id; without one the provider's default model is used.
   *
   * @param model such as {@code llama-3.3-70b-versatile}
   * @return the new request
   * @throws NullPointerException if {@code model} is null
   * @throws IllegalArgumentException if {@code model} is blank
   */
  public ChatRequest withModel(String model) {
    return new ChatRequest(requireNonBlank(model, "model"), messages, temperature, topP, maxTokens, stop, seed,
        tools, toolChoice, responseFormat, reasoningEffort, reasoningFormat, user, extras);
  }

  /**
   * This request with one more message appended to the conversation.
   *
   * @param message the message
   * @return the new request
   * @throws NullPointerException if {@code message} is null
   */
  public ChatRequest withMessage(ChatMessage message) {
    Objects.requireNonNull(message, "message");
    List<ChatMessage> more = new ArrayList<>(messages);
    more.add(message);
    return withMessages(more);
  }

  /**
   * This request with another conversation.
   *
   * @param messages the messages, oldest first
   * @return the new request
   * @throws NullPointerException if {@code messages} or an element is null
   * @throws IllegalArgumentException if {@code messages} is empty
   */
  public ChatRequest withMessages(List<ChatMessage> messages) {
    return new ChatRequest(model, checkMessages(messages), temperature, topP, maxTokens, stop, seed, tools,
        toolChoice, responseFormat, reasoningEffort, reasoningFormat, user, extras);
  }

  /**
   * This request with another sampling temperature.
   *
   * @param temperature from 0 to 2
   * @return the new request
   * @throws IllegalArgumentException if out of range
   */
  public ChatRequest withTemperature(double temperature) {
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new IllegalArgumentException("temperature must be in [0, 2], was " + temperature);
    }
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
        responseFormat, reasoningEffort, reasoningFormat, user, extras);
  }

  /**
   * This request with another nucleus-sampling probability mass.
   *
   * @param topP from 0 to 1
   * @return the new request
   * @throws IllegalArgumentException if out of range
   */
  public ChatRequest withTopP(double topP) {
    if (!(topP >= 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP must be in [0, 1], was " + topP);
    }
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
        responseFormat, reasoningEffort, reasoningFormat, user, extras);
  }

  /**
   * This request with another maximum number of tokens to generate.
   *
   * @param maxTokens at least 1
   * @return the new request
   * @throws IllegalArgumentException if less than 1
   */
  public ChatRequest withMaxTokens(int maxTokens) {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
    }
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
        responseFormat, reasoningEffort, reasoningFormat, user, extras);
  }

  /**
   * This request with other stop sequences.
   *
   * @param stop up to 4 non-empty sequences
   * @return the new request
   * @throws NullPointerException if {@code stop} or an element is null
   * @throws IllegalArgumentException if more than 4 or one is empty
   */
  public ChatRequest withStop(List<String> stop) {
    Objects.requireNonNull(stop, "stop");
    if (stop.size() > 4) {
      throw new IllegalArgumentException("stop allows at most 4 sequences, was " + stop.size());
    }
    for (String s : stop) {
      if (Objects.requireNonNull(s, "stop element").isEmpty()) {
        throw new IllegalArgumentException("stop sequences must not be empty");
      }
    }
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
        responseFormat, reasoningEffort, reasoningFormat, user, extras);
  }

  /**
   * This request with a sampling seed for (best-effort) deterministic answers.
   *
   * @param seed any value
   * @return the new request
   */
  public ChatRequest withSeed(long seed) {
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
        responseFormat, reasoningEffort, reasoningFormat, user, extras);
  }

  /**
   * This request with one more tool the model may call.
   *
   * @param tool the tool
   * @return the new request
   * @throws NullPointerException if {@code tool} is null
   * @throws IllegalArgumentException if the request already has a tool of that name
   */
  public ChatRequest withTool(ToolDefinition tool) {
    Objects.requireNonNull(tool, "tool");
    for (ToolDefinition t : tools) {
      if (t.name().equals(tool.name())) {
        throw new IllegalArgumentException("tool '" + tool.name() + "' was already added");
      }
    }
    List<ToolDefinition> more = new ArrayList<>(tools);
    more.add(tool);
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, more, toolChoice,
        responseFormat, reasoningEffort, reasoningFormat, user, extras);
  }

  /**
   * This request with another tool choice.
   *
   * @param toolChoice {@code auto}, {@code none}, {@code required}, or the name of a function
   * @return the new request
   * @throws IllegalArgumentException if blank
   */
  public ChatRequest withToolChoice(String toolChoice) {
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools,
        requireNonBlank(toolChoice, "toolChoice"), responseFormat, reasoningEffort, reasoningFormat, user, extras);
  }

  /**
   * This request with another response format type.
   *
   * @param type {@code text} or {@code json_object}
   * @return the new request
   * @throws IllegalArgumentException if blank
   */
  public ChatRequest withResponseFormat(String type) {
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
        requireNonBlank(type, "responseFormat"), reasoningEffort, reasoningFormat, user, extras);
  }

  /**
   * This request with another reasoning effort for a reasoning model.
   *
   * @param effort such as {@code low}, {@code medium}, {@code high}
   * @return the new request
   * @throws IllegalArgumentException if blank
   */
  public ChatRequest withReasoningEffort(String effort) {
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
        responseFormat, requireNonBlank(effort, "reasoningEffort"), reasoningFormat, user, extras);
  }

  /**
   * This request with another way of returning reasoning (Groq: {@code parsed}, {@code raw}, {@code hidden}).
   *
   * @param format the format
   * @return the new request
   * @throws IllegalArgumentException if blank
   */
  public ChatRequest withReasoningFormat(String format) {
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
        responseFormat, reasoningEffort, requireNonBlank(format, "reasoningFormat"), user, extras);
  }

  /**
   * This request with an end-user id for the provider's abuse monitoring.
   *
   * @param user the id
   * @return the new request
   * @throws IllegalArgumentException if blank
   */
  public ChatRequest withUser(String user) {
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
        responseFormat, reasoningEffort, reasoningFormat, requireNonBlank(user, "user"), extras);
  }

  /**
   * This request with a provider-specific field, sent as it is; a field of the same key is replaced.
   *
   * @param key the JSON field name
   * @param value a string, number, boolean, list or map of those
   * @return the new request
   * @throws NullPointerException if {@code key} or {@code value} is null
   * @throws IllegalArgumentException if {@code key} is blank or names a field the library manages
   */
  public ChatRequest withExtra(String key, Object value) {
    requireNonBlank(key, "extra key");
    Objects.requireNonNull(value, "extra value");
    if (key.equals("stream") || key.equals("messages")) {
      throw new IllegalArgumentException("extra key '" + key + "' is managed by the library");
    }
    Map<String, Object> more = new LinkedHashMap<>(extras);
    more.put(key, value);
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
        responseFormat, reasoningEffort, reasoningFormat, user, more);
  }

  /**
   * The model id, or {@code null} for the provider's default model.
   *
   * @return the model
   * @see #withModel(String)
   */
  public @Nullable String model() {
    return model;
  }

  /**
   * The conversation, oldest first; never empty.
   *
   * @return the messages
   * @see #withMessage(ChatMessage)
   */
  public List<ChatMessage> messages() {
    return messages;
  }

  /**
   * The sampling temperature.
   *
   * @return the temperature, or {@code null}
   * @see #withTemperature(double)
   */
  public @Nullable Double temperature() {
    return temperature;
  }

  /**
   * The nucleus-sampling probability mass.
   *
   * @return top_p, or {@code null}
   * @see #withTopP(double)
   */
  public @Nullable Double topP() {
    return topP;
  }

  /**
   * The maximum number of tokens to generate ({@code max_completion_tokens}).
   *
   * @return the limit, or {@code null}
   * @see #withMaxTokens(int)
   */
  public @Nullable Integer maxTokens() {
    return maxTokens;
  }

  /**
   * Stop sequences.
   *
   * @return the stop sequences (empty when none)
   * @see #withStop(List)
   */
  public List<String> stop() {
    return stop;
  }

  /**
   * The sampling seed.
   *
   * @return the seed, or {@code null}
   * @see #withSeed(long)
   */
  public @Nullable Long seed() {
    return seed;
  }

  /**
   * Tools the model may call.
   *
   * @return the tools (empty when none)
   * @see #withTool(ToolDefinition)
   */
  public List<ToolDefinition> tools() {
    return tools;
  }

  /**
   * The tool choice: {@code auto}, {@code none}, {@code required}, or a function name.
   *
   * @return the choice, or {@code null}
   * @see #withToolChoice(String)
   */
  public @Nullable String toolChoice() {
    return toolChoice;
  }

  /**
   * The response format type, such as {@code json_object}.
   *
   * @return the format, or {@code null}
   * @see #withResponseFormat(String)
   */
  public @Nullable String responseFormat() {
    return responseFormat;
  }

  /**
   * The reasoning effort for reasoning models ({@code low}, {@code medium}, {@code high}, ...).
   *
   * @return the effort, or {@code null}
   * @see #withReasoningEffort(String)
   */
  public @Nullable String reasoningEffort() {
    return reasoningEffort;
  }

  /**
   * How reasoning is returned ({@code parsed}, {@code raw}, {@code hidden}; Groq).
   *
   * @return the format, or {@code null}
   * @see #withReasoningFormat(String)
   */
  public @Nullable String reasoningFormat() {
    return reasoningFormat;
  }

  /**
   * An end-user id for the provider's abuse monitoring.
   *
   * @return the user id, or {@code null}
   * @see #withUser(String)
   */
  public @Nullable String user() {
    return user;
  }

  /**
   * Provider-specific fields sent as they are (values: strings, numbers, booleans, lists, maps).
   *
   * @return the extras (empty when none)
   * @see #withExtra(String, Object)
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

  private static List<ChatMessage> checkMessages(List<ChatMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    for (ChatMessage m : messages) {
      Objects.requireNonNull(m, "messages element");
    }
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("messages must not be empty: add at least one message");
    }
    return messages;
  }

  private static String requireNonBlank(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }
}
