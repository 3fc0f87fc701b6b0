package chat.node.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.protocol.Protocol;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoomIdsTest {

  @Test
  void aDmIdIsTheSameFromEitherSide() {
    assertEquals(RoomIds.dm("alice", "bob"), RoomIds.dm("bob", "alice"));
    assertEquals("dm:alice:bob", RoomIds.dm("bob", "alice"));
    assertEquals(Optional.of(List.of("alice", "bob")), RoomIds.dmParties("dm:alice:bob"));
    assertTrue(RoomIds.dmParties("dm:a:b:c").isEmpty());
  }

  @Test
  void dmIdsOfDifferentPairsDiffer() {
    assertNotEquals(RoomIds.dm("a.b", "c"), RoomIds.dm("a", "b.c"));
  }

  @Test
  void generatedIdsAreValidUniqueGroupIds() {
    String a = RoomIds.newGroupId();
    assertTrue(Protocol.isRoomId(a), a);
    assertTrue(!RoomIds.isDm(a));
    assertNotEquals(a, RoomIds.newGroupId());
  }
}
