package chat.node.room;

/** Told how long each of a room's journal writes took, from the command's arrival to the write's end. */
@FunctionalInterface
public interface PersistTimer {

  PersistTimer NONE = elapsedNanos -> {};

  void persisted(long elapsedNanos);
}
