package chat.node.gateway;

import chat.protocol.ErrorCode;
import org.apache.pekko.util.ByteString;

/**
 * Ends a connection's outbound frames at once, dropping what is queued: {@code frame} (an encoded
 * {@code closing} frame) goes out alone, then the WebSocket closes. Carries no stack trace.
 */
final class CloseConnection extends RuntimeException {

  private final transient ByteString frame;

  CloseConnection(ErrorCode code, ByteString frame) {
    super(code.wireName(), null, false, false);
    this.frame = frame;
  }

  ByteString frame() {
    return frame;
  }
}
