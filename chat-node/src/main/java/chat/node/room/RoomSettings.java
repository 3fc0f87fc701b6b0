package chat.node.room;

/**
 * @param maxMembers cap on a group's size, creator included
 * @param snapshotEvery events between snapshots; snapshots only speed up recovery, they never delete events
 * @param pushTags messages are tagged for the push projection into this many tags (0: not tagged, push off)
 */
public record RoomSettings(int maxMembers, int snapshotEvery, int pushTags) {

  public RoomSettings(int maxMembers, int snapshotEvery) {
    this(maxMembers, snapshotEvery, 0);
  }
}
