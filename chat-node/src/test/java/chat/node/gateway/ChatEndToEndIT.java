package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.Await;
import chat.node.testing.TestNode;
import chat.node.testing.Timelines;
import chat.protocol.AckResult;
import chat.protocol.ErrorCode;
import chat.protocol.RoomKind;
import chat.protocol.RoomSummary;
import chat.protocol.TimelineItem;
import chat.protocol.Visibility;
import chat.protocol.client.ChatClient;
import chat.protocol.client.ChatErrorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Real clients on real WebSockets against a node whose journal is a real Cassandra. */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChatEndToEndIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static TestNode node;

  @BeforeAll
  static void startNode(TestCassandra cassandra) {
    node = TestNode.start(cassandra);
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  private static ErrorCode errorOf(CompletableFuture<?> future) {
    try {
      future.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    } catch (CompletionException e) {
      return assertInstanceOf(ChatErrorException.class, e.getCause()).code();
    }
    throw new AssertionError("expected an error answer");
  }

  /** Every seq exactly once, in order, and nothing else. */
  private static void assertExactlyOnceInOrder(List<TimelineItem> items, long from, long to) {
    assertEquals(LongStream.rangeClosed(from, to).boxed().toList(), items.stream().map(TimelineItem::seq).toList());
  }

  @Test
  void aDirectMessageConversation() throws Exception {
    try (ChatClient alice = node.login("dm-alice"); ChatClient bob = node.login("dm-bob")) {
      AckResult.Room opened = Await.result(alice.openDm("dm-bob"));
      String roomId = opened.room().roomId();
      assertEquals(RoomKind.DM, opened.room().kind());
      assertEquals(List.of("dm-alice", "dm-bob"), opened.room().members());

      // opening it again, from the other side, is the same room and appends nothing
      AckResult.Room again = Await.result(bob.openDm("dm-alice"));
      assertEquals(roomId, again.room().roomId());
      assertEquals(1, again.room().lastSeq());

      List<AckResult.Sent> sent = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ChatClient from = i % 2 == 0 ? alice : bob;
        sent.add(Await.result(from.send(roomId, "dm-" + i, "message " + i)));
      }
      assertEquals(List.of(2L, 3L, 4L, 5L, 6L), sent.stream().map(AckResult.Sent::seq).toList());

      for (ChatClient member : List.of(alice, bob)) {
        List<TimelineItem> items = Timelines.collect(member, roomId, 6, WAIT);
        assertExactlyOnceInOrder(items, 1, 6);
        assertInstanceOf(TimelineItem.RoomCreated.class, items.get(0));
        var third = assertInstanceOf(TimelineItem.Message.class, items.get(3));
        assertEquals("dm-alice", third.sender());
        assertEquals("message 2", third.body());
        assertEquals("dm-2", third.clientMsgId());
      }

      // bob wrote seq 5, which reads everything before it; alice's seq 6 is unread
      assertEquals(List.of(new RoomSummary(roomId, RoomKind.DM, null, "dm-alice", 5, 1, chat.protocol.NotificationLevel.ALL)), Await.result(bob.listRooms()).rooms());
    }
  }

  @Test
  void aGroupOfThreeSeesEveryMessageOnceInSeqOrder() throws Exception {
    try (ChatClient alice = node.login("g-alice"); ChatClient bob = node.login("g-bob"); ChatClient carol = node.login("g-carol")) {
      String roomId = Await.result(alice.createRoom(null, "Friends", List.of("g-bob", "g-carol"), null)).room().roomId();
      List<ChatClient> members = List.of(alice, bob, carol);

      // all three send concurrently, interleaved
      List<CompletableFuture<AckResult.Sent>> sends = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        for (int m = 0; m < members.size(); m++) {
          sends.add(members.get(m).send(roomId, "g-" + m + "-" + i, "from " + m + " #" + i));
        }
      }
      List<Long> seqs = sends.stream().map(Await::result).map(AckResult.Sent::seq).sorted().toList();
      assertEquals(LongStream.rangeClosed(2, 31).boxed().toList(), seqs);

      for (ChatClient member : members) {
        assertExactlyOnceInOrder(Timelines.collect(member, roomId, 31, WAIT), 1, 31);
      }
      // per sender, the room kept the order in which each client sent
      List<TimelineItem> history = Await.result(alice.history(roomId, null, null, 200)).items();
      for (int m = 0; m < members.size(); m++) {
        String prefix = "g-" + m + "-";
        List<String> ids = history.stream()
            .filter(TimelineItem.Message.class::isInstance).map(TimelineItem.Message.class::cast)
            .map(TimelineItem.Message::clientMsgId).filter(id -> id.startsWith(prefix)).toList();
        assertEquals(LongStream.range(0, 10).mapToObj(i -> prefix + i).toList(), ids);
      }
    }
  }

  @Test
  void historyPagesBackAndForthWithoutGapsOrOverlap() {
    try (ChatClient alice = node.login("h-alice")) {
      String roomId = Await.result(alice.createRoom(null, "Log", List.of(), null)).room().roomId();
      for (int i = 0; i < 24; i++) {
        Await.result(alice.send(roomId, "h-" + i, "line " + i));
      }
      // 25 items: room_created + 24 messages

      List<Long> backwards = new ArrayList<>();
      AckResult.HistoryPage page = Await.result(alice.history(roomId, null, null, 10));
      assertEquals(25, page.lastSeq());
      while (true) {
        List<Long> seqs = page.items().stream().map(TimelineItem::seq).toList();
        assertEquals(seqs.stream().sorted().toList(), seqs, "a page is in ascending seq order");
        backwards.addAll(0, seqs);
        if (!page.hasMore()) {
          break;
        }
        page = Await.result(alice.history(roomId, seqs.get(0), null, 10));
      }
      assertEquals(LongStream.rangeClosed(1, 25).boxed().toList(), backwards);

      AckResult.HistoryPage forward = Await.result(alice.history(roomId, null, 20L, 10));
      assertEquals(List.of(21L, 22L, 23L, 24L, 25L), forward.items().stream().map(TimelineItem::seq).toList());
      assertFalse(forward.hasMore());
      assertTrue(Await.result(alice.history(roomId, null, 25L, 10)).items().isEmpty());
    }
  }

  @Test
  void membershipIsEnforcedAndVisibleInTheTimeline() throws Exception {
    try (ChatClient owner = node.login("m-owner"); ChatClient guest = node.login("m-guest");
         ChatClient outsider = node.login("m-outsider")) {
      String priv = Await.result(owner.createRoom("m-private", "Private", List.of(), Visibility.PRIVATE)).room().roomId();
      assertEquals("m-private", priv);

      assertEquals(ErrorCode.NOT_MEMBER, errorOf(outsider.send(priv, "x", "let me in")));
      assertEquals(ErrorCode.NOT_MEMBER, errorOf(outsider.history(priv, null, null, 10)));
      assertEquals(ErrorCode.NOT_MEMBER, errorOf(outsider.getRoom(priv)));
      assertEquals(ErrorCode.ROOM_NOT_FOUND, errorOf(outsider.join(priv)));
      assertEquals(ErrorCode.ROOM_EXISTS, errorOf(outsider.createRoom("m-private", "Mine", List.of(), null)));
      assertEquals(ErrorCode.NOT_MEMBER, errorOf(outsider.send("m-never-created", "x", "hello?")));
      assertEquals(ErrorCode.WRONG_ROOM_KIND, errorOf(outsider.join("dm:m-guest:m-owner")));

      // a member adds the guest; the guest is told, can post and can read
      var added = Await.result(owner.addMember(priv, "m-guest"));
      assertEquals(List.of("m-guest", "m-owner"), added.room().members());
      List<TimelineItem> guestSees = Timelines.collect(guest, priv, 2, WAIT);
      var joined = assertInstanceOf(TimelineItem.MemberJoined.class, guestSees.get(guestSees.size() - 1));
      assertEquals("m-guest", joined.user());
      assertEquals("m-owner", joined.sender());
      assertEquals(3, Await.result(guest.send(priv, "g1", "thanks")).seq());
      assertEquals(List.of(priv), Await.result(guest.listRooms()).rooms().stream().map(RoomSummary::roomId).toList());

      // leaving ends it
      assertEquals(4, Await.result(guest.leave(priv)).seq());
      assertEquals(ErrorCode.NOT_MEMBER, errorOf(guest.send(priv, "g2", "hello again")));
      assertTrue(Await.result(guest.listRooms()).rooms().isEmpty());

      // public rooms can be joined by anyone
      String pub = Await.result(owner.createRoom(null, "Lobby", List.of(), Visibility.PUBLIC)).room().roomId();
      assertEquals(List.of("m-outsider", "m-owner"), Await.result(outsider.join(pub)).room().members());
      assertEquals(3, Await.result(outsider.send(pub, "o1", "hi all")).seq());
    }
  }

  @Test
  void aRetriedSendIsNotDuplicated() {
    try (ChatClient alice = node.login("r-alice")) {
      String roomId = Await.result(alice.createRoom(null, "Retry", List.of(), null)).room().roomId();
      AckResult.Sent first = Await.result(alice.send(roomId, "same-id", "once"));
      AckResult.Sent retry = Await.result(alice.send(roomId, "same-id", "once"));
      assertFalse(first.duplicate());
      assertTrue(retry.duplicate());
      assertEquals(first.seq(), retry.seq());
      assertEquals(first.ts(), retry.ts());
      assertEquals(2, Await.result(alice.history(roomId, null, null, 10)).lastSeq());
    }
  }
}
