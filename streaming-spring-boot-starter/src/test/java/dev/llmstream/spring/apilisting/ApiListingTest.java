package dev.llmstream.spring.apilisting;

import dev.llmstream.core.apilisting.ApiListing;
import org.junit.jupiter.api.Test;

/** Fails when the public API of streaming-spring-boot-starter changed and {@code api/streaming-spring-boot-starter.txt} was not updated. */
class ApiListingTest {
  @Test
  void apiListingIsUpToDate() throws Exception {
    ApiListing.check("streaming-spring-boot-starter");
  }
}
