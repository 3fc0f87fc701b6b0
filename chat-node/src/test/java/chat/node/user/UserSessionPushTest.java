package chat.node.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.push.PushCandidate;
import chat.node.push.PushRequest;
import chat.node.room.ChatRoom;
import chat.node.testing.EntityTestKit;
import chat.node.user.UserSession.Membership;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Who is pushed about which message, as the user's session decides it from delivery and read state. */
@ExtendWith(LogCapturingExtension.class)
class UserSessionPushTest {

  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKit.config());
  private static final TestProbe<ChatRoom.Command> roomsProbe = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> session(String user) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        UserSession.create(user, UserSession.persistenceId(user),
            // recounts as if every item were a message from someone else
            (roomId, userId, after, upTo) -> java.util.concurrent.CompletableFuture.completedFuture(upTo - after),
            roomId -> roomsProbe.getRef(), 4, new LocalSessions()));
  }

  private static PushCandidate message(String roomId, long seq, String sender, String body) {
    return new PushCandidate(roomId, "Team", ChatRoom.Kind.GROUP, seq, sender, PushCandidate.preview(body), 1000 + seq);
  }

  private static List<PushRequest> decide(
      EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> s, PushCandidate... messages) {
    return s.<UserSession.PushDecisions>runCommand(r -> new UserSession.DecidePush(List.of(messages), r)).reply()
        .withDevices();
  }

  private static void deliver(
      EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> s, PushCandidate m) {
    s.runCommand(new UserSession.Deliver(new ChatRoom.TimelineEntry(m.roomId(), m.seq(),
        new ChatRoom.MessagePosted(m.sender(), "c" + m.seq(), m.preview(), m.sentAt()))));
  }

  private static void openPhone(
      EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> s, String device) {
    TestProbe<UserSession.ToConnection> connection = testKit.createTestProbe();
    s.<UserSession.DeviceSync>runCommand(r -> new UserSession.OpenDevice(device, "conn-" + device, connection.getRef(), r));
  }

  @Test
  void anOfflineMemberIsPushedOncePerMessageWithItsTokensBadgeAndPreview() {
    var s = session("bob");
    s.<Done>runCommand(r -> new UserSession.RecordMembership(new Membership("g:1", ChatRoom.Kind.GROUP, "Team", null, 1, true), r));
    openPhone(s, "phone");
    s.<Done>runCommand(r -> new UserSession.RegisterPushToken("phone", "apns", "tok-1", r));
    var m2 = message("g:1", 2, "alice", "hello bob");
    var m3 = message("g:1", 3, "alice", "x".repeat(PushRequest.PREVIEW_MAX_CHARS + 10));
    deliver(s, m2);
    deliver(s, m3);

    List<PushRequest> requests = decide(s, m2, m3);
    assertEquals(2, requests.size());
    PushRequest first = requests.get(0);
    assertEquals("g:1:2:bob", first.dedupKey());
    assertEquals("hello bob", first.preview());
    assertEquals("group", first.roomKind());
    assertEquals(List.of(new PushRequest.PushDevice("phone", "apns", "tok-1")), first.devices());
    assertEquals(2, first.badge());
    assertEquals(PushRequest.PREVIEW_MAX_CHARS + 1, requests.get(1).preview().length(), "cut, with an ellipsis");
    assertTrue(requests.get(1).preview().endsWith("…"));
  }

  @Test
  void noPushForOwnMessagesMessagesADeviceAcknowledgedOrTheUserReadOrMutedRooms() {
    var s = session("carol");
    s.<Done>runCommand(r -> new UserSession.RecordMembership(new Membership("g:2", ChatRoom.Kind.GROUP, "Team", null, 1, true), r));
    s.<Done>runCommand(r -> new UserSession.RecordMembership(new Membership("g:3", ChatRoom.Kind.GROUP, "Quiet", null, 1, true), r));
    openPhone(s, "laptop");
    var own = message("g:2", 2, "carol", "mine");
    var acked = message("g:2", 3, "alice", "seen on the laptop");
    var read = message("g:2", 4, "alice", "read elsewhere");
    var fresh = message("g:2", 5, "alice", "not seen yet");
    for (var m : List.of(own, acked, read, fresh)) {
      deliver(s, m);
    }
    s.<Done>runCommand(r -> new UserSession.AdvanceCursors("laptop", Map.of("g:2", 3L), r));
    s.<UserSession.ReadReply>runCommand(r -> new UserSession.MarkRead("g:2", 4, r));
    assertEquals(List.of("g:2:5:carol"), decide(s, own, acked, read, fresh).stream().map(PushRequest::dedupKey).toList());

    var quiet = message("g:3", 2, "alice", "shh");
    var muted = s.<UserSession.SettingReply>runCommand(r -> new UserSession.SetRoomNotifications("g:3", PushSettings.Level.MUTED, r));
    assertInstanceOf(UserSession.SettingSaved.class, muted.reply());
    assertEquals(List.of(), decide(s, quiet));
    // the muted room's unread message does not count toward the badge of the others
    deliver(s, quiet);
    var another = message("g:2", 6, "alice", "and another");
    deliver(s, another);
    assertEquals(2, decide(s, another).get(0).badge(), "5 and 6 in g:2; not the muted g:3");
    // not a member: refused, nothing journaled
    var stranger = s.<UserSession.SettingReply>runCommand(r -> new UserSession.SetRoomNotifications("g:9", PushSettings.Level.MUTED, r));
    assertInstanceOf(UserSession.NotAMember.class, stranger.reply());
    assertTrue(stranger.hasNoEvents());
  }

  @Test
  void membersWhoJoinedAfterTheMessageOrLeftAreNotPushed() {
    var s = session("dave");
    s.<Done>runCommand(r -> new UserSession.RecordMembership(new Membership("g:4", ChatRoom.Kind.GROUP, "T", null, 10, true), r));
    s.<Done>runCommand(r -> new UserSession.RecordMembership(new Membership("g:5", ChatRoom.Kind.GROUP, "T", null, 20, false), r));
    assertEquals(List.of(), decide(s, message("g:4", 9, "alice", "before dave joined"), message("g:5", 21, "alice", "after")));
    // a room the session has not heard of yet: the room listed the user as a member, which is trusted
    assertEquals(1, decide(s, message("g:6", 2, "alice", "new room")).size());
  }

  @Test
  void previewsCanBeTurnedOffPerRoomOrForTheUserAndChoicesSurviveRestarts() {
    var s = session("erin");
    s.<Done>runCommand(r -> new UserSession.RecordMembership(new Membership("g:7", ChatRoom.Kind.GROUP, "T", null, 1, true), r));
    s.<Done>runCommand(r -> new UserSession.RecordMembership(new Membership("g:8", ChatRoom.Kind.GROUP, "T", null, 1, true), r));
    s.<UserSession.SettingReply>runCommand(r -> new UserSession.SetRoomNotifications("g:7", PushSettings.Level.NO_PREVIEW, r));
    s.restart();
    assertNull(decide(s, message("g:7", 2, "alice", "secret")).get(0).preview());
    assertEquals("open", decide(s, message("g:8", 2, "alice", "open")).get(0).preview());
    s.<Done>runCommand(r -> new UserSession.SetPushPreviews(false, r));
    s.restart();
    assertNull(decide(s, message("g:8", 3, "alice", "now hidden")).get(0).preview());
    assertEquals(Map.of("g:7", PushSettings.Level.NO_PREVIEW),
        s.<UserSession.RoomList>runCommand(UserSession.ListRooms::new).reply().push());
  }

  @Test
  void aRefusedTokenIsRemovedUnlessTheDeviceRegisteredAnotherSince() {
    var s = session("fay");
    openPhone(s, "phone");
    s.<Done>runCommand(r -> new UserSession.RegisterPushToken("phone", "fcm", "old", r));
    s.<Done>runCommand(r -> new UserSession.RegisterPushToken("phone", "fcm", "new", r));
    assertTrue(s.<Done>runCommand(r -> new UserSession.RemoveRefusedToken("phone", "old", r)).hasNoEvents());
    assertEquals("new", s.getState().push().tokens().get("phone").token());
    s.<Done>runCommand(r -> new UserSession.RemoveRefusedToken("phone", "new", r));
    s.restart();
    assertEquals(Map.of(), s.getState().push().tokens());
    // unregistering is idempotent
    assertTrue(s.<Done>runCommand(r -> new UserSession.UnregisterPushToken("phone", r)).hasNoEvents());
  }

  @Test
  void leavingARoomForgetsItsPushChoice() {
    var s = session("gus");
    s.<Done>runCommand(r -> new UserSession.RecordMembership(new Membership("g:9", ChatRoom.Kind.GROUP, "T", null, 1, true), r));
    s.<UserSession.SettingReply>runCommand(r -> new UserSession.SetRoomNotifications("g:9", PushSettings.Level.MUTED, r));
    s.<Done>runCommand(r -> new UserSession.RecordMembership(Membership.tombstone("g:9", 5), r));
    assertEquals(Map.of(), s.getState().push().rooms());
  }
}
