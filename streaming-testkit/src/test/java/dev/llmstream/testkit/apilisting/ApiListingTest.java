package dev.llmstream.testkit.apilisting;

import dev.llmstream.core.apilisting.ApiListing;
import org.junit.jupiter.api.Test;

/** Fails when the public API of streaming-testkit changed and {@code api/streaming-testkit.txt} was not updated. */
class ApiListingTest {
  @Test
  void apiListingIsUpToDate() throws Exception {
    ApiListing.check("streaming-testkit");
  }
}
