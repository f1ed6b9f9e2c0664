/**
 * The Groq provider: {@link dev.llmstream.groq.GroqProvider} streams chat completions from Groq, or from
 * any OpenAI-compatible server (Ollama, vLLM, llama.cpp), over {@code java.net.http} and Server-Sent
 * Events.
 *
 * <p>Everything is non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.llmstream.groq;

import org.jspecify.annotations.NullMarked;
