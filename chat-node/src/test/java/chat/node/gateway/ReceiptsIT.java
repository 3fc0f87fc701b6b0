package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.Await;
import chat.node.testing.Device;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.RoomSummary;
import chat.protocol.ServerFrame;
import chat.protocol.client.ChatClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Delivered and read receipts, unread counts and read state across a user's devices, end to end. */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReceiptsIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void theSenderSeesDeliveredThenReadInADm(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra);
         Device alice = Device.connect(node, "rc1-alice", "alice-phone");
         Device bob = Device.connect(node, "rc1-bob", "bob-phone")) {
      alice.awaitSynced(WAIT);
      bob.awaitSynced(WAIT);
      String dm = Await.result(alice.client().openDm("rc1-bob")).room().roomId();
      long seq = Await.result(alice.client().send(dm, "hi", "hello bob")).seq();
      bob.awaitSeq(dm, seq, WAIT);

      bob.acknowledge(dm, seq);
      alice.awaitFrame(receiptOf(dm, "rc1-bob", seq, 1), WAIT);
      Await.result(bob.client().read(dm, seq));
      alice.awaitFrame(receiptOf(dm, "rc1-bob", seq, seq), WAIT);

      AckResult.Receipts receipts = Await.result(alice.client().receipts(dm, seq));
      assertEquals(1, receipts.others());
      assertEquals(1, receipts.deliveredTo());
      assertEquals(1, receipts.readBy());
      assertEquals(List.of(new AckResult.MemberReceipt("rc1-alice", seq, seq), new AckResult.MemberReceipt("rc1-bob", seq, seq)),
          receipts.members());
    }
  }

  @Test
  void aSmallGroupCountsDeliveredAndReadPerMessage(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra); ChatClient alice = node.login("rc2-alice");
         Device bob = Device.connect(node, "rc2-bob", "bob-phone");
         Device carol = Device.connect(node, "rc2-carol", "carol-phone")) {
      bob.awaitSynced(WAIT);
      carol.awaitSynced(WAIT);
      String room = Await.result(alice.createRoom(null, "Three", List.of("rc2-bob", "rc2-carol"), null)).room().roomId();
      long seq = Await.result(alice.send(room, "q", "lunch?")).seq();
      bob.awaitSeq(room, seq, WAIT);
      carol.awaitSeq(room, seq, WAIT);
      bob.acknowledge(room, seq);
      carol.acknowledge(room, seq);
      Await.result(bob.client().read(room, seq));

      // the room hears about it asynchronously: poll until both deliveries and bob's read are in
      AckResult.Receipts receipts = null;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        receipts = Await.result(alice.receipts(room, seq));
        if (receipts.deliveredTo() == 2 && receipts.readBy() == 1) {
          break;
        }
        Thread.sleep(100);
      }
      assertEquals(2, receipts.others());
      assertEquals(2, receipts.deliveredTo(), "delivered to 2 of 2");
      assertEquals(1, receipts.readBy(), "read by 1 of 2");
    }
  }

  @Test
  void unreadCountsFollowReadsOnAnyDeviceAndSurviveARestart(TestCassandra cassandra) throws Exception {
    String room;
    try (TestNode node = TestNode.start(cassandra); ChatClient alice = node.login("rc3-alice");
         Device phone = Device.connect(node, "rc3-bob", "phone");
         Device laptop = Device.connect(node, "rc3-bob", "laptop")) {
      phone.awaitSynced(WAIT);
      laptop.awaitSynced(WAIT);
      room = Await.result(alice.openDm("rc3-bob")).room().roomId();
      for (int i = 0; i < 3; i++) {
        Await.result(alice.send(room, "m" + i, "message " + i));
      }
      phone.awaitSeq(room, 4, WAIT);
      assertEquals(3, unread(phone.client(), room));

      // reading part way on the laptop: the phone hears it and the count follows
      Await.result(laptop.client().read(room, 2));
      phone.awaitFrame(new ServerFrame.ReadMarker(room, 2, 2)::equals, WAIT);
      assertEquals(2, unread(phone.client(), room));
      Await.result(laptop.client().read(room, 4));
      phone.awaitFrame(new ServerFrame.ReadMarker(room, 4, 0)::equals, WAIT);

      Await.result(alice.send(room, "m3", "one more"));
      phone.awaitSeq(room, 5, WAIT);
      assertEquals(1, unread(laptop.client(), room));
    }
    // a graceful restart hands the session off, which journals what was pending
    try (TestNode restarted = TestNode.start(cassandra); ChatClient bob = restarted.login("rc3-bob")) {
      assertEquals(new RoomSummary(room, chat.protocol.RoomKind.DM, null, "rc3-alice", 4, 1, chat.protocol.NotificationLevel.ALL),
          Await.result(bob.listRooms()).rooms().get(0));
    }
  }

  private static long unread(ChatClient client, String roomId) {
    return Await.result(client.listRooms()).rooms().stream()
        .filter(r -> r.roomId().equals(roomId)).findFirst().orElseThrow().unread();
  }

  /** A receipt frame of {@code roomId} that carries exactly this receipt of {@code user}. */
  private static java.util.function.Predicate<ServerFrame> receiptOf(String roomId, String user, long delivered, long read) {
    return f -> f instanceof ServerFrame.Receipt r && r.roomId().equals(roomId)
        && r.members().contains(new AckResult.MemberReceipt(user, delivered, read));
  }
}
