package dev.llmstream.web.apilisting;

import dev.llmstream.core.apilisting.ApiListing;
import org.junit.jupiter.api.Test;

/** Fails when the public API of streaming-web changed and {@code api/streaming-web.txt} was not updated. */
class ApiListingTest {
  @Test
  void apiListingIsUpToDate() throws Exception {
    ApiListing.check("streaming-web");
  }
}
