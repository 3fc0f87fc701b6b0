package chat.node.push.dispatch;

import chat.node.push.PushJson;
import chat.node.push.PushRequest;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/**
 * Reads push request records, refusing what this dispatcher cannot handle without quoting it. Any schema version
 * from {@link PushRequest#SCHEMA} up is read: a later version only adds fields (docs/push.md), and fields this
 * dispatcher does not know are ignored ({@link PushJson#MAPPER}). Below it (0 is also what a missing
 * {@code schema} reads as) is not a push request.
 */
final class RequestReader {

  private RequestReader() {}

  /**
   * A record value that is not a {@link PushRequest} this dispatcher understands. The message says what is wrong
   * (not JSON, a missing field, the schema version) but never quotes the value, which may hold a preview.
   */
  static final class MalformedRequest extends Exception {
    MalformedRequest(String message) {
      super(message, null, false, false);
    }
  }

  static PushRequest readRequest(byte[] value) throws MalformedRequest {
    if (value == null) {
      throw new MalformedRequest("no value (tombstone)");
    }
    PushRequest request;
    try {
      request = PushJson.MAPPER.readValue(value, PushRequest.class);
    } catch (IOException | RuntimeException e) {
      // Jackson's own messages quote the offending input: only the kind of error and where it was go to the log
      String where = e instanceof JsonProcessingException j && j.getLocation() != null
          ? " at line " + j.getLocation().getLineNr() + " column " + j.getLocation().getColumnNr() : "";
      throw new MalformedRequest("not a push request: " + e.getClass().getSimpleName() + where);
    }
    if (request == null) {
      throw new MalformedRequest("not a push request: JSON null");
    }
    if (request.schema() < PushRequest.SCHEMA) {
      throw new MalformedRequest(request.schema() == 0
          ? "schema version missing (or 0)" : "unsupported schema version " + request.schema());
    }
    if (request.dedupKey() == null || request.user() == null || request.roomId() == null) {
      throw new MalformedRequest("dedupKey, user or roomId missing");
    }
    return request;
  }
}
