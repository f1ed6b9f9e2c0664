package dev.llmstream.micrometer.apilisting;

import dev.llmstream.core.apilisting.ApiListing;
import org.junit.jupiter.api.Test;

/** Fails when the public API of streaming-micrometer changed and {@code api/streaming-micrometer.txt} was not updated. */
class ApiListingTest {
  @Test
  void apiListingIsUpToDate() throws Exception {
    ApiListing.check("streaming-micrometer");
  }
}
