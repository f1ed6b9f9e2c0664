package dev.llmstream.groq.apilisting;

import dev.llmstream.core.apilisting.ApiListing;
import org.junit.jupiter.api.Test;

/** Fails when the public API of streaming-groq changed and {@code api/streaming-groq.txt} was not updated. */
class ApiListingTest {
  @Test
  void apiListingIsUpToDate() throws Exception {
    ApiListing.check("streaming-groq");
  }
}
