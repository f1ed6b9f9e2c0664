/**
 * The run store on Redis Streams: {@link dev.llmstream.redis.RedisRunStore} lets every server instance on
 * one Redis follow, stop and take over any answer run.
 *
 * <p>Exports {@code dev.llmstream.redis} only; the key layout, Lua scripts, tails and lease watch in
 * {@code dev.llmstream.redis.internal} stay inside the module. {@code requires transitive
 * dev.llmstream.web} because {@code RedisRunStore} implements the web module's {@code RunStore} SPI and
 * takes its {@code AnswerRuns}. Lettuce ({@code lettuce.core}, an automatic module that brings Netty and
 * Reactor along) and SLF4J are used inside only: no Lettuce type appears in the API.
 */
@SuppressWarnings("requires-automatic") // Lettuce ships an Automatic-Module-Name, no descriptor
module dev.llmstream.redis {
  requires transitive dev.llmstream.web;
  requires lettuce.core;
  requires org.slf4j;

  exports dev.llmstream.redis;
}
