package chat.node.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.room.ChatRoom;
import chat.node.user.UserSession.Membership;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.Done;
import chat.node.testing.EntityTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LogCapturingExtension.class)
class UserSessionTest {

  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKit.config());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> session(String user) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), UserSession.create(user, UserSession.persistenceId(user)));
  }

  private static Membership group(String roomId, long seq, boolean member) {
    return new Membership(roomId, ChatRoom.Kind.GROUP, "team", null, seq, member);
  }

  private static List<Membership> rooms(EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> s) {
    return s.<UserSession.RoomList>runCommand(UserSession.ListRooms::new).reply().rooms();
  }

  @Test
  void theRoomIndexKeepsTheNewestChangePerRoom() {
    var s = session("alice");
    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:1", 5, true), r));
    // an older change arriving late is ignored
    var late = s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:1", 3, false), r));
    assertTrue(late.hasNoEvents());
    // a repeat is idempotent
    assertTrue(s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:1", 5, true), r)).hasNoEvents());
    assertEquals(List.of(group("g:1", 5, true)), rooms(s));

    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:1", 9, false), r));
    assertEquals(List.of(), rooms(s));
    // and the tombstone survives recovery
    s.restart();
    assertTrue(s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:1", 7, true), r)).hasNoEvents());
    assertEquals(List.of(), rooms(s));
  }

  @Test
  void deliveriesReachEveryConnectedDeviceInOrderAndStopAtDisconnect() {
    var s = session("bob");
    TestProbe<ChatRoom.TimelineEntry> phone = testKit.createTestProbe();
    TestProbe<ChatRoom.TimelineEntry> laptop = testKit.createTestProbe();
    s.runCommand(new UserSession.Connect("phone", phone.getRef()));
    s.runCommand(new UserSession.Connect("laptop", laptop.getRef()));

    for (long seq = 2; seq <= 4; seq++) {
      s.runCommand(new UserSession.Deliver(message("g:1", seq)));
    }
    for (long seq = 2; seq <= 4; seq++) {
      assertEquals(seq, phone.receiveMessage().seq());
      assertEquals(seq, laptop.receiveMessage().seq());
    }

    s.runCommand(new UserSession.Disconnect("phone"));
    s.runCommand(new UserSession.Deliver(message("g:1", 5)));
    assertEquals(5, laptop.receiveMessage().seq());
    phone.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aDeviceThatDiesIsForgotten() {
    var s = session("carol");
    TestProbe<ChatRoom.TimelineEntry> gone = testKit.createTestProbe();
    TestProbe<ChatRoom.TimelineEntry> alive = testKit.createTestProbe();
    s.runCommand(new UserSession.Connect("gone", gone.getRef()));
    s.runCommand(new UserSession.Connect("alive", alive.getRef()));
    gone.stop();

    // the entity sees the termination before the next delivery only eventually; deliver until it does
    alive.awaitAssert(Duration.ofSeconds(3), () -> {
      s.runCommand(new UserSession.Deliver(message("g:1", 2)));
      alive.receiveMessage();
      return null;
    });
    // no assertion on the dead probe is possible; the registry must still deliver to the live one
    s.runCommand(new UserSession.Deliver(message("g:1", 3)));
    assertEquals(3, alive.receiveMessage().seq());
  }

  @Test
  void membershipEventsAboutTheUserUpdateTheIndexAsTheyArrive() {
    var s = session("dave");
    var created = new ChatRoom.RoomCreated(ChatRoom.Kind.DM, null, ChatRoom.Visibility.PRIVATE, "erin",
        List.of("erin", "dave"), 1L);
    s.runCommand(new UserSession.Deliver(new ChatRoom.TimelineEntry("dm:dave:erin", 1, created)));
    assertEquals(List.of(new Membership("dm:dave:erin", ChatRoom.Kind.DM, null, "erin", 1, true)), rooms(s));

    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:2", 3, true), r));
    s.runCommand(new UserSession.Deliver(new ChatRoom.TimelineEntry("g:2", 8, new ChatRoom.MemberLeft("dave", "dave", 9L))));
    assertEquals(List.of("dm:dave:erin"), rooms(s).stream().map(Membership::roomId).toList());
  }

  private static ChatRoom.TimelineEntry message(String roomId, long seq) {
    return new ChatRoom.TimelineEntry(roomId, seq, new ChatRoom.MessagePosted("alice", "c" + seq, "hi", seq));
  }

  private static UserSession.DeviceSync open(
      EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> s, String device,
      TestProbe<ChatRoom.TimelineEntry> connection) {
    return s.<UserSession.DeviceSync>runCommand(r -> new UserSession.OpenDevice(device, "conn-" + device, connection.getRef(), r)).reply();
  }

  @Test
  void aDeviceIsNewOnceAndItsAcknowledgementsAreKeptAcrossRestarts() {
    var s = session("erin");
    TestProbe<ChatRoom.TimelineEntry> phone = testKit.createTestProbe();
    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:1", 1, true), r));
    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:2", 3, true), r));

    var first = open(s, "phone", phone);
    assertTrue(first.isNew());
    assertEquals(2, first.rooms().size());
    assertTrue(!open(s, "phone", phone).isNew());

    // applied at once (visible to the next open) ...
    s.<Done>runCommand(r -> new UserSession.AdvanceCursors("phone", java.util.Map.of("g:1", 7L, "g:2", 4L), r));
    s.<Done>runCommand(r -> new UserSession.AdvanceCursors("phone", java.util.Map.of("g:1", 5L, "g:9", 2L), r));
    assertEquals(java.util.Map.of("g:1", 7L, "g:2", 4L, "g:9", 2L), open(s, "phone", phone).cursors());

    // ... and journaled in one batch shortly after; cursors never move back, unknown rooms are dropped
    phone.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(java.util.Map.of("g:1", 7L, "g:2", 4L), s.getState().devices().get("phone").cursors());
      return null;
    });
    s.restart();
    assertEquals(java.util.Map.of("g:1", 7L, "g:2", 4L), open(s, "phone", phone).cursors());
  }

  @Test
  void openingADeviceRegistersItsConnectionForDelivery() {
    var s = session("frank");
    TestProbe<ChatRoom.TimelineEntry> laptop = testKit.createTestProbe();
    open(s, "laptop", laptop);
    s.runCommand(new UserSession.Deliver(message("g:1", 2)));
    assertEquals(2, laptop.receiveMessage().seq());
  }

  @Test
  void onlyTheMostRecentlySeenDevicesAreRemembered() {
    var s = session("gina");
    TestProbe<ChatRoom.TimelineEntry> probe = testKit.createTestProbe();
    for (int i = 0; i <= UserSession.MAX_DEVICES; i++) {
      open(s, "device-" + i, probe);
    }
    assertEquals(UserSession.MAX_DEVICES, s.getState().devices().size());
    assertTrue(!s.getState().devices().containsKey("device-0"));
    assertTrue(open(s, "device-0", probe).isNew());
  }
}
