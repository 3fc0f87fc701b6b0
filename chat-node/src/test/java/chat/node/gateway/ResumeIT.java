package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.Device;
import chat.node.testing.TestNode;
import chat.protocol.ServerFrame;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Devices that disconnect get exactly what they missed, in order, then a caught-up marker. */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ResumeIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static void send(ChatClient client, String roomId, String id) {
    client.send(roomId, id, "body " + id).orTimeout(20, TimeUnit.SECONDS).join();
  }

  @Test
  void aDeviceThatReconnectsGetsExactlyWhatItMissedThenCaughtUp(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra); ChatClient alice = node.login("r1-alice")) {
      String roomId;
      try (Device bob = Device.connect(node, "r1-bob", "bob-phone")) {
        bob.awaitSynced(WAIT);
        roomId = alice.openDm("r1-bob").orTimeout(20, TimeUnit.SECONDS).join().room().roomId();
        for (int i = 0; i < 10; i++) {
          send(alice, roomId, "a" + i);
        }
        bob.awaitSeq(roomId, 11, WAIT);
        assertEquals(range(1, 11), bob.seqs(roomId));
        bob.acknowledge(roomId, 11);
      }

      // messages keep flowing while bob is away and while he comes back
      Thread sender = new Thread(() -> {
        for (int i = 10; i < 40; i++) {
          send(alice, roomId, "a" + i);
        }
      });
      sender.start();
      Thread.sleep(150);
      try (Device bob = Device.connect(node, "r1-bob", "bob-phone")) {
        sender.join(60_000);
        bob.awaitSynced(WAIT);
        bob.awaitSeq(roomId, 41, WAIT);
        // exactly the missed range, in order, each once; nothing he had acknowledged again
        assertEquals(range(12, 41), bob.seqs(roomId));
        long caughtUp = bob.caughtUpAt(roomId);
        assertTrue(caughtUp >= 11 && caughtUp <= 41, "caught up at " + caughtUp);
        // the marker comes after every replayed item up to it, and synced after that
        List<ServerFrame> frames = bob.frames();
        int markerAt = frames.indexOf(new ServerFrame.CaughtUp(roomId, caughtUp));
        assertEquals(caughtUp - 11, frames.subList(0, markerAt).stream().filter(TimelineItem.class::isInstance).count());
        assertTrue(frames.indexOf(new ServerFrame.Synced(1)) > markerAt);
      }
    }
  }

  @Test
  void cursorsSurviveANodeRestart(TestCassandra cassandra) throws Exception {
    String roomId;
    try (TestNode node = TestNode.start(cassandra); ChatClient alice = node.login("r2-alice");
         Device bob = Device.connect(node, "r2-bob", "bob-laptop")) {
      bob.awaitSynced(WAIT);
      roomId = alice.createRoom(null, "R2", List.of("r2-bob"), null).orTimeout(20, TimeUnit.SECONDS).join().room().roomId();
      for (int i = 0; i < 5; i++) {
        send(alice, roomId, "a" + i);
      }
      bob.awaitSeq(roomId, 6, WAIT);
      bob.acknowledge(roomId, 6);
      Thread.sleep(1500); // the acknowledgement reaches the session; the clean stop below journals it
    }
    try (TestNode restarted = TestNode.start(cassandra); ChatClient alice = restarted.login("r2-alice")) {
      for (int i = 5; i < 9; i++) {
        send(alice, roomId, "a" + i);
      }
      try (Device bob = Device.connect(restarted, "r2-bob", "bob-laptop")) {
        bob.awaitSynced(WAIT);
        assertEquals(range(7, 10), bob.seqs(roomId));
        assertEquals(10, bob.caughtUpAt(roomId));
      }
    }
  }

  @Test
  void anAcknowledgementWithoutIdIsNotAnsweredAndStillMovesTheCursor(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra); ChatClient alice = node.login("r6-alice")) {
      String roomId = alice.openDm("r6-bob").orTimeout(20, TimeUnit.SECONDS).join().room().roomId();
      try (Device bob = Device.connect(node, "r6-bob", "bob-phone")) {
        bob.awaitSynced(WAIT);
        for (int i = 0; i < 4; i++) {
          send(alice, roomId, "q" + i);
        }
        bob.awaitSeq(roomId, 5, WAIT);
        bob.acknowledgeQuietly(roomId, 5);
        // a ping answered after it shows the acknowledgement was read; nothing else came back for it
        bob.client().ping().orTimeout(20, TimeUnit.SECONDS).join();
        bob.listen(Duration.ofMillis(500));
        assertTrue(bob.frames().stream().noneMatch(f -> f instanceof ServerFrame.Ack || f instanceof ServerFrame.Error),
            "no answer to an acknowledgement without id: " + bob.frames());
      }
      send(alice, roomId, "q4");
      try (Device bob = Device.connect(node, "r6-bob", "bob-phone")) {
        bob.awaitSynced(WAIT);
        assertEquals(List.of(6L), bob.seqs(roomId), "only what came after the acknowledged seq 5 is replayed");
      }
      // without a device there is no cursor to move: an error, without id since the frame had none
      ChatClient noDevice = node.login("r6-carol");
      try (noDevice) {
        noDevice.receivedQuietly(Map.of(roomId, 1L)).orTimeout(20, TimeUnit.SECONDS).join();
        ServerFrame answer = noDevice.nextPush(WAIT);
        var error = assertInstanceOf(ServerFrame.Error.class, answer);
        assertEquals(chat.protocol.ErrorCode.INVALID_REQUEST, error.code());
        assertEquals(null, error.id());
      }
    }
  }

  @Test
  void eachDeviceHasItsOwnCursorAndSeesWhatTheOtherSends(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra); ChatClient alice = node.login("r3-alice")) {
      String roomId = alice.openDm("r3-bob").orTimeout(20, TimeUnit.SECONDS).join().room().roomId();
      try (Device phone = Device.connect(node, "r3-bob", "phone"); Device laptop = Device.connect(node, "r3-bob", "laptop")) {
        phone.awaitSynced(WAIT);
        laptop.awaitSynced(WAIT);
        for (int i = 0; i < 4; i++) {
          send(alice, roomId, "a" + i);
        }
        // a message from one of bob's devices appears on his other one
        send(phone.client(), roomId, "from-phone");
        laptop.awaitSeq(roomId, 6, WAIT);
        phone.awaitSeq(roomId, 6, WAIT);
        assertInstanceOf(TimelineItem.Message.class, laptop.frames().stream()
            .filter(f -> f instanceof TimelineItem.Message m && "from-phone".equals(m.clientMsgId())).findFirst().orElseThrow());
        phone.acknowledge(roomId, 6);
        laptop.acknowledge(roomId, 3);
      }
      for (int i = 4; i < 7; i++) {
        send(alice, roomId, "a" + i);
      }
      try (Device phone = Device.connect(node, "r3-bob", "phone"); Device laptop = Device.connect(node, "r3-bob", "laptop")) {
        phone.awaitSynced(WAIT);
        laptop.awaitSynced(WAIT);
        assertEquals(range(7, 9), phone.seqs(roomId));
        assertEquals(range(4, 9), laptop.seqs(roomId));
      }
    }
  }

  @Test
  void aNewDeviceStartsAtTheEndAndAnOldOneGetsRoomsJoinedWhileAway(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra); ChatClient alice = node.login("r4-alice")) {
      String first = alice.openDm("r4-bob").orTimeout(20, TimeUnit.SECONDS).join().room().roomId();
      send(alice, first, "old");
      try (Device tablet = Device.connect(node, "r4-bob", "tablet")) {
        tablet.awaitSynced(WAIT);
        // new device: nothing old is replayed, it is caught up at the end
        assertEquals(List.of(), tablet.seqs(first));
        assertEquals(2, tablet.caughtUpAt(first));
      }
      // while the tablet is away: a message in the old room and a whole new room
      send(alice, first, "new");
      String second = alice.createRoom(null, "While away", List.of("r4-bob"), null)
          .orTimeout(20, TimeUnit.SECONDS).join().room().roomId();
      send(alice, second, "hello");
      try (Device tablet = Device.connect(node, "r4-bob", "tablet")) {
        tablet.awaitSynced(WAIT);
        assertEquals(List.of(3L), tablet.seqs(first));
        assertEquals(range(1, 2), tablet.seqs(second));
        assertTrue(tablet.frames().contains(new ServerFrame.Synced(2)));
      }
    }
  }

  @Test
  void aBacklogBeyondTheReplayLimitIsAnnouncedAsAGap(TestCassandra cassandra) throws Exception {
    try (TestNode node = TestNode.start(cassandra, Map.of("chat.gateway.replay-max-items-per-room", 5));
         ChatClient alice = node.login("r5-alice")) {
      String roomId = alice.openDm("r5-bob").orTimeout(20, TimeUnit.SECONDS).join().room().roomId();
      try (Device bob = Device.connect(node, "r5-bob", "phone")) {
        bob.awaitSynced(WAIT);
        bob.acknowledge(roomId, 1);
      }
      for (int i = 0; i < 12; i++) {
        send(alice, roomId, "a" + i);
      }
      try (Device bob = Device.connect(node, "r5-bob", "phone")) {
        bob.awaitSynced(WAIT);
        List<ServerFrame> frames = bob.frames();
        assertEquals(new ServerFrame.Gap(roomId, 2, 8, "backlog_limit"), frames.get(0));
        assertEquals(range(9, 13), bob.seqs(roomId));
        assertEquals(13, bob.caughtUpAt(roomId));
        // the gap is still readable with history
        var page = bob.client().history(roomId, 9L, null, 50).orTimeout(20, TimeUnit.SECONDS).join();
        assertEquals(range(1, 8), page.items().stream().map(TimelineItem::seq).toList());
      }
    }
  }
}
