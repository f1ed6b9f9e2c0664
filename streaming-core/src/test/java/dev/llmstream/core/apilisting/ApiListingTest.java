package dev.llmstream.core.apilisting;

import org.junit.jupiter.api.Test;

/** Fails when the public API of streaming-core changed and {@code api/streaming-core.txt} was not updated. */
class ApiListingTest {
  @Test
  void apiListingIsUpToDate() throws Exception {
    ApiListing.check("streaming-core");
  }
}
