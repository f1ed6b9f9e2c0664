/**
 * Behaviour tests of streaming-core that need the testkit's {@code VirtualScheduler} and
 * {@code TestSubscriber}: core's own tests cannot depend on the testkit (the testkit depends on core), and
 * a second virtual clock or recording subscriber in core's tests would be a copy. They use core's public
 * API only, except two package-private measurements read through {@code CoreInternals}.
 */
package dev.llmstream.testkit.coretests;
