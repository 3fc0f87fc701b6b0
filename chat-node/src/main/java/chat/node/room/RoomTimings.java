package chat.node.room;

/**
 * Where a room's time goes, told to the node's metrics: how long a send waited in the room's queue
 * (behind the journal writes of earlier commands: a hot room), and how long each journal write took.
 */
public interface RoomTimings {

  RoomTimings NONE = new RoomTimings() {
    @Override
    public void queued(long elapsedNanos) {}

    @Override
    public void persisted(long elapsedNanos) {}
  };

  /** A send reached the room {@code elapsedNanos} before the room took it up. */
  void queued(long elapsedNanos);

  /**
   * A command's event is written, {@code elapsedNanos} after the room took the command up: once per send
   * (a batch's sends each report their own time, the wait for the batch included) and per other event.
   */
  void persisted(long elapsedNanos);
}
