package chat.node.gateway;

import chat.node.room.ChatRoom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one connection has sent of each room, so that live pushes and replayed items merge into one
 * stream per room that is in seq order, without duplicates and without holes.
 *
 * <p>A room is either live (items are written as they come) or catching up (a replay from the journal
 * is running; live items are held back). A live item that skips a seq puts the room back into catching
 * up from the first missing seq, so a dropped push is repaired by the server. Not thread-safe: owned by
 * the connection actor.
 */
final class RoomStreams {

  /** Where the decisions go: frames to the client, and replays to run. */
  interface Output {
    void item(ChatRoom.TimelineEntry entry);

    void gap(String roomId, long from, long to);

    void caughtUp(String roomId, long seq);

    void synced(int rooms);

    /** Replay the room from {@code fromSeq} (to its current end), then report {@link #roomDone}. */
    void catchUp(String roomId, long fromSeq);

    /** A new device's stream of the room starts after {@code seq}: that is what it has "received". */
    void baseline(String roomId, long seq);
  }

  /** Live items held back per room while it catches up; beyond this they are dropped and re-read. */
  static final int MAX_HELD_PER_ROOM = 1000;

  private static final class Room {
    long lastSent;
    boolean catchingUp;
    final TreeMap<Long, ChatRoom.TimelineEntry> held = new TreeMap<>();
    long droppedUpTo;
  }

  private final Map<String, Room> rooms = new HashMap<>();
  private final Set<String> initialSync = new HashSet<>();
  private int initialRooms = -1;

  /**
   * The rooms of the replay that follows hello, each with the seq its replay starts at (null: a new
   * device, which starts at the room's end); {@link Output#synced} fires when all are done.
   */
  void startInitialSync(Map<String, Long> starts, Output out) {
    initialRooms = starts.size();
    starts.forEach((roomId, fromSeq) -> {
      Room room = room(roomId);
      room.catchingUp = true;
      if (fromSeq != null) {
        // what comes before was acknowledged by the device: never send it again
        room.lastSent = Math.max(room.lastSent, fromSeq - 1);
      }
      initialSync.add(roomId);
    });
    if (starts.isEmpty()) {
      finishInitialSync(out);
    }
  }

  void live(ChatRoom.TimelineEntry entry, Output out) {
    Room room = rooms.get(entry.roomId());
    if (room == null) {
      // first item of a room this connection has not seen yet: it starts here
      room = room(entry.roomId());
      room.lastSent = entry.seq() - 1;
    }
    if (room.catchingUp) {
      hold(room, entry);
      return;
    }
    if (entry.seq() <= room.lastSent) {
      return;
    }
    if (entry.seq() == room.lastSent + 1) {
      send(room, entry, out);
      return;
    }
    // a push went missing: read the hole from the journal, hold everything after it
    room.catchingUp = true;
    hold(room, entry);
    out.catchUp(entry.roomId(), room.lastSent + 1);
  }

  void replayed(ChatRoom.TimelineEntry entry, Output out) {
    Room room = room(entry.roomId());
    if (entry.seq() > room.lastSent) {
      send(room, entry, out);
    }
  }

  void gap(String roomId, long from, long to, Output out) {
    Room room = room(roomId);
    if (to > room.lastSent) {
      out.gap(roomId, Math.max(from, room.lastSent + 1), to);
      room.lastSent = to;
    }
  }

  /**
   * The replay of {@code roomId} sent everything up to {@code lastSeq}. For a new device
   * ({@code baseline}) it sent nothing: the device starts at the room's end, or just before the first
   * item it was already holding live, which it must still get.
   */
  void roomDone(String roomId, long lastSeq, boolean baseline, Output out) {
    Room room = room(roomId);
    if (baseline) {
      long start = room.held.isEmpty() ? lastSeq : Math.min(lastSeq, room.held.firstKey() - 1);
      room.lastSent = start;
      out.baseline(roomId, start);
    } else {
      room.lastSent = Math.max(room.lastSent, lastSeq);
    }
    room.held.headMap(room.lastSent, true).clear();
    while (!room.held.isEmpty() && room.held.firstKey() == room.lastSent + 1) {
      send(room, room.held.pollFirstEntry().getValue(), out);
    }
    if (!room.held.isEmpty() || room.droppedUpTo > room.lastSent || room.lastSent < lastSeq) {
      // what arrived live does not join up with the replay: read the rest too
      room.droppedUpTo = 0;
      out.catchUp(roomId, room.lastSent + 1);
      return;
    }
    room.catchingUp = false;
    out.caughtUp(roomId, room.lastSent);
    if (initialSync.remove(roomId) && initialSync.isEmpty()) {
      finishInitialSync(out);
    }
  }

  /** The user can no longer read {@code roomId} (they left): nothing more is sent for it. */
  void skipped(String roomId, Output out) {
    rooms.remove(roomId);
    if (initialSync.remove(roomId) && initialSync.isEmpty()) {
      finishInitialSync(out);
    }
  }

  /** The rooms currently streaming live (not catching up). */
  Set<String> liveRooms() {
    Set<String> ids = new HashSet<>();
    rooms.forEach((id, room) -> {
      if (!room.catchingUp) {
        ids.add(id);
      }
    });
    return ids;
  }

  /** Holds live items of the room until a replay reports {@link #roomDone}. */
  void startCatchingUp(String roomId) {
    room(roomId).catchingUp = true;
  }

  /** The rooms currently catching up (for retrying a replay that failed). */
  Set<String> catchingUp() {
    Set<String> ids = new HashSet<>();
    rooms.forEach((id, room) -> {
      if (room.catchingUp) {
        ids.add(id);
      }
    });
    return ids;
  }

  long lastSent(String roomId) {
    Room room = rooms.get(roomId);
    return room == null ? 0 : room.lastSent;
  }

  private void finishInitialSync(Output out) {
    out.synced(initialRooms);
  }

  private void hold(Room room, ChatRoom.TimelineEntry entry) {
    if (entry.seq() <= room.lastSent) {
      return;
    }
    if (room.held.size() >= MAX_HELD_PER_ROOM) {
      room.droppedUpTo = Math.max(room.droppedUpTo, entry.seq());
      return;
    }
    room.held.put(entry.seq(), entry);
  }

  private static void send(Room room, ChatRoom.TimelineEntry entry, Output out) {
    out.item(entry);
    room.lastSent = entry.seq();
  }

  private Room room(String roomId) {
    return rooms.computeIfAbsent(roomId, id -> new Room());
  }
}
