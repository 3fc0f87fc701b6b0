package chat.protocol.client;

import chat.protocol.ErrorCode;
import chat.protocol.ServerFrame;

/** A request was answered with an error frame. */
public final class ChatErrorException extends RuntimeException {

  private final ServerFrame.Error error;

  public ChatErrorException(ServerFrame.Error error) {
    super(error.code().wireName() + ": " + error.message());
    this.error = error;
  }

  public ServerFrame.Error error() {
    return error;
  }

  public ErrorCode code() {
    return error.code();
  }
}
