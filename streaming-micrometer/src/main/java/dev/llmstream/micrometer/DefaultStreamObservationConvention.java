package dev.llmstream.micrometer;

import dev.llmstream.core.StreamTrace;
import dev.llmstream.micrometer.internal.GenAi;
import io.micrometer.common.KeyValues;

/**
 * The default naming: observation {@code gen_ai.client.operation} (as Spring AI names its chat
 * observations), contextual name (span name) {@code chat <requested model>} as the OpenTelemetry GenAI
 * conventions ask, low-cardinality keys {@code gen_ai.operation.name}, {@code gen_ai.provider.name},
 * {@code gen_ai.request.model}, {@code gen_ai.response.model}, {@code server.address},
 * {@code error.type} and {@code llmstream.outcome} (a value the stream does not know yet is
 * {@code none}), and the high-cardinality {@code gen_ai.response.id} (the server's request id) and
 * {@code llmstream.attempts} for traces. Stateless and thread-safe.
 */
public class DefaultStreamObservationConvention implements StreamObservationConvention {

  /** The observation name. */
  public static final String NAME = "gen_ai.client.operation";

  /** Creates the convention. */
  public DefaultStreamObservationConvention() {}

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public String getContextualName(StreamObservationContext context) {
    return GenAi.OPERATION_CHAT + " " + context.trace().requestModel();
  }

  @Override
  public KeyValues getLowCardinalityKeyValues(StreamObservationContext context) {
    StreamTrace t = context.trace();
    return KeyValues.of(
        GenAi.OPERATION_NAME, GenAi.OPERATION_CHAT,
        GenAi.PROVIDER_NAME, t.providerName(),
        GenAi.REQUEST_MODEL, t.requestModel(),
        GenAi.RESPONSE_MODEL, GenAi.orNone(t.responseModel()),
        GenAi.SERVER_ADDRESS, GenAi.orNone(t.serverAddress()),
        GenAi.ERROR_TYPE, GenAi.errorType(t),
        "llmstream.outcome", t.outcome());
  }

  @Override
  public KeyValues getHighCardinalityKeyValues(StreamObservationContext context) {
    StreamTrace t = context.trace();
    return KeyValues.of(
        "gen_ai.response.id", GenAi.orNone(t.requestId()),
        "llmstream.attempts", Integer.toString(t.attempts()));
  }
}
