package chat.cassandra.journal;

import static chat.cassandra.journal.JournalFixtures.WRITER_A;
import static chat.cassandra.journal.JournalFixtures.created;
import static chat.cassandra.journal.JournalFixtures.joined;
import static chat.cassandra.journal.JournalFixtures.left;
import static chat.cassandra.journal.JournalFixtures.posted;
import static chat.cassandra.journal.JournalFixtures.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoomStateTest {

  private final PayloadDecoder decoder = new PayloadDecoder();

  private JournalEvent event(JournalRow row) {
    return JournalEvent.decode(row, decoder);
  }

  @Test
  void foldsMembershipAsTheServerDoes() {
    RoomState room = new RoomState("g:test");
    for (JournalRow row : List.of(created(1, WRITER_A, "alice", "bob"), posted(2, WRITER_A, "bob", "m-1"),
        joined(3, WRITER_A, "carol"), left(4, WRITER_A, "bob"), joined(5, WRITER_A, "bob"))) {
      assertEquals(List.of(), room.apply(event(row)));
    }
    assertTrue(room.created());
    assertEquals("GROUP", room.kind());
    assertEquals("Test", room.name());
    assertEquals("alice", room.createdBy());
    assertEquals(Map.of("alice", 1L, "carol", 3L, "bob", 5L), room.members());
    assertEquals(5, room.lastSeq());
  }

  @Test
  void describesEachEventInWords() {
    assertEquals("created GROUP \"Test\" (PUBLIC) by alice with alice, bob",
        RoomState.describe(event(created(1, WRITER_A, "alice", "bob"))));
    assertEquals("bob: \"body 2\" [m-1]", RoomState.describe(event(posted(2, WRITER_A, "bob", "m-1"))));
    assertEquals("carol joined", RoomState.describe(event(joined(3, WRITER_A, "carol"))));
    assertEquals("bob left", RoomState.describe(event(left(4, WRITER_A, "bob"))));
    JournalEvent added = event(row(JournalFixtures.ROOM, 5, WRITER_A, "chat.node.room.ChatRoom$MemberJoined",
        JournalFixtures.map("type", "member-joined", "user", "dave", "by", "alice", "ts", 1)));
    assertEquals("dave added by alice", RoomState.describe(added));
    JournalEvent broken = event(row(JournalFixtures.ROOM, 0, 6, WRITER_A, 33, "chat.node.room.ChatRoom$MessagePosted",
        new byte[] {(byte) 0xff}));
    assertTrue(RoomState.describe(broken).startsWith("(MessagePosted that cannot be decoded: not valid CBOR"));
  }

  @Test
  void eventsOfANewerServerAreRecognisedByTheirLogicalTypeOrKeptAsUnknown() {
    RoomState room = new RoomState("g:test");
    room.apply(event(created(1, WRITER_A, "alice")));
    // a renamed class still carries its logical type
    JournalRow renamed = row(JournalFixtures.ROOM, 2, WRITER_A, "chat.v2.Posted",
        JournalFixtures.map("type", "message-posted", "sender", "alice", "clientMsgId", "x", "body", "b", "ts", 1));
    assertEquals(List.of(), room.apply(event(renamed)));
    JournalRow unknown = row(JournalFixtures.ROOM, 3, WRITER_A, "chat.v2.ChatRoom$TopicChanged",
        JournalFixtures.map("type", "topic-changed", "topic", "news"));
    List<Finding> findings = room.apply(event(unknown));
    assertEquals(1, findings.size());
    assertEquals(Finding.Severity.WARNING, findings.get(0).severity());
    assertEquals(3, room.lastSeq());
  }
}
