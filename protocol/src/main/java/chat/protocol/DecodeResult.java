package chat.protocol;

/** What {@link FrameCodec#decodeClientFrame} made of a text frame: a valid request, or why not. */
public sealed interface DecodeResult {

  record Valid(ClientFrame frame) implements DecodeResult {}

  /** {@code id} is the request id if the frame got far enough to have one, else null. */
  record Invalid(String id, ErrorCode code, String message) implements DecodeResult {
    public ServerFrame.Error toError() {
      return ServerFrame.Error.of(id, code, message);
    }
  }
}
