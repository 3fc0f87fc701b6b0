package chat.node.room;

/**
 * @param maxMembers cap on a group's size, creator included
 * @param snapshotEvery events between snapshots; snapshots only speed up recovery, they never delete events
 */
public record RoomSettings(int maxMembers, int snapshotEvery) {}
