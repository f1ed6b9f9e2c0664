package dev.llmstream.groq.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The provider's Jackson set-up. Each stream keeps one parser for its whole life ({@link ChunkDecoder}),
 * so the parser's buffers count against every open stream: Jackson's default 8,000-byte read buffer
 * would be a third of a stream's heap. This mapper's parsers read through 512-byte buffers instead (an
 * event of a few hundred bytes is one read; longer ones take a few), and buffers are not pooled: a
 * stream's parser owns them until it is closed, and the garbage collector takes them back.
 */
public final class JsonSupport {
  private static final int READ_BUFFER = 512;

  private JsonSupport() {}

  /**
   * A new mapper for one provider: small parser read buffers, unknown properties ignored.
   *
   * @return the mapper (thread-safe once built)
   */
  public static ObjectMapper newMapper() {
    JsonFactory factory = JsonFactory.builder().recyclerPool(new SmallBuffers()).build();
    return new ObjectMapper(factory).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  /** Hands every parser and generator fresh buffers, with a small read buffer. */
  private static final class SmallBuffers extends RecyclerPool.NonRecyclingPoolBase<BufferRecycler> {
    private static final long serialVersionUID = 1L;

    @Override
    public BufferRecycler acquirePooled() {
      return new SmallReadBuffer();
    }
  }

  private static final class SmallReadBuffer extends BufferRecycler {
    @Override
    protected int byteBufferLength(int ix) {
      return ix == BYTE_READ_IO_BUFFER ? READ_BUFFER : super.byteBufferLength(ix);
    }
  }
}
