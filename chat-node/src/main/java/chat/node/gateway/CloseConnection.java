package chat.node.gateway;

import chat.protocol.ServerFrame;

/** Ends a connection's outbound stream; the stream turns it into its last frame. Carries no stack trace. */
final class CloseConnection extends RuntimeException {

  private final ServerFrame.Closing closing;

  CloseConnection(ServerFrame.Closing closing) {
    super(closing.code().wireName(), null, false, false);
    this.closing = closing;
  }

  ServerFrame.Closing closing() {
    return closing;
  }
}
