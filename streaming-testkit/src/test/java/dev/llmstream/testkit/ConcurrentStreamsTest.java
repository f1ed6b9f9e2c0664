package dev.llmstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many paced streams at once on one selector thread and one pacer thread. */
class ConcurrentStreamsTest {
  @Test
  void twoHundredPacedStreamsAllCompleteIntact() throws Exception {
    int streams = Integer.getInteger("testkit.streams", 200);
    String text = "a b c d e f g h i j k l m n o p q r s t"; // 20 words
    try (FakeGroqServer server = FakeGroqServer.builder()
        .always(ResponseScript.builder().text(text).chunking(Chunking.perWord()).tokensPerSecond(50).build())
        .build().start()) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      long t0 = System.nanoTime();
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        all.add(client.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
            .POST(HttpRequest.BodyPublishers.ofString(SseProbe.chatBody("q" + i))).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      for (CompletableFuture<HttpResponse<String>> f : all) {
        List<String> data = new ArrayList<>();
        for (String line : f.get().body().split("\n")) {
          if (line.startsWith("data: ")) {
            data.add(line.substring(6));
          }
        }
        assertThat(SseProbe.join(data, "content")).isEqualTo(text);
      }
      assertThat(server.connections()).hasSize(streams)
          .allSatisfy(c -> assertThat(c.ending()).isEqualTo(ConnectionRecord.Ending.COMPLETED));
      // 22 gaps of 20 ms = 440 ms per stream when all run concurrently
      System.out.println(streams + " concurrent streams x 23 events at 50 tok/s finished in " + ms + " ms");
    }
  }
}
