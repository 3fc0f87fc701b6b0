package chat.node.room;

/**
 * How a room marks the journal write of a traced send ({@code chat.persist}). The room knows nothing of
 * tracing beyond this and the trace context string it stores with the message; {@link #OFF} when tracing is
 * off (the room never calls it for a send without a trace context anyway).
 */
public interface RoomTracing {

  RoomTracing OFF = (traceContext, roomId, sender, clientMsgId) -> seq -> {};

  /** A send carrying {@code traceContext} is about to be written; the result is told when it is written. */
  Write persisting(String traceContext, String roomId, String sender, String clientMsgId);

  /** One traced write. */
  @FunctionalInterface
  interface Write {
    /** The message is in the journal as {@code seq}. */
    void written(long seq);
  }
}
