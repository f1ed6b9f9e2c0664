/** JMH benchmarks of the streaming path, side by side with openai-java and LangChain4j. */
@org.jspecify.annotations.NullMarked
package dev.llmstream.benchmarks;
