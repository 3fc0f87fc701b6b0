package chat.node.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.room.ChatRoom;
import chat.node.user.UserSession.Membership;
import java.time.Duration;
import java.util.ArrayList;
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

  private static final int MAX_CONNECTIONS = 4;

  /** Everything any session under test tells any room (receipts). */
  private static final TestProbe<ChatRoom.Command> roomsProbe = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> session(String user) {
    return session(user, UserSession.LAZY_FLUSH_INTERVAL);
  }

  private static EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> session(
      String user, Duration lazyFlush) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        UserSession.create(user, UserSession.persistenceId(user), UserSessionTest::countFromFakeJournal,
            roomId -> roomsProbe.getRef(), MAX_CONNECTIONS, lazyFlush, new LocalSessions()));
  }

  /** A fake journal for recounts: in every room, each odd seq above 1 is a message from someone else. */
  static java.util.concurrent.CompletionStage<Long> countFromFakeJournal(
      String roomId, String userId, long afterSeq, long upToSeq) {
    return java.util.concurrent.CompletableFuture.completedFuture(
        java.util.stream.LongStream.rangeClosed(afterSeq + 1, upToSeq).filter(seq -> seq > 1 && seq % 2 == 1).count());
  }

  static Membership group(String roomId, long seq, boolean member) {
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

  /** A connection the session forgot (disconnected, or its lease ran out) learns it was taken back. */
  @Test
  void aRegistrationSaysWhetherTheSessionKnewTheConnection() {
    var s = session("dora");
    TestProbe<UserSession.ToConnection> phone = testKit.createTestProbe();
    UserSession.Registered first = s.<UserSession.Registered>runCommand(
        r -> new UserSession.Connect("phone", phone.getRef(), r)).reply();
    assertTrue(first.accepted() && first.added());
    UserSession.Registered refresh = s.<UserSession.Registered>runCommand(
        r -> new UserSession.Connect("phone", phone.getRef(), r)).reply();
    assertTrue(refresh.accepted() && !refresh.added());
    assertEquals(first.incarnation(), refresh.incarnation());

    s.runCommand(new UserSession.Disconnect("phone"));
    UserSession.Registered back = s.<UserSession.Registered>runCommand(
        r -> new UserSession.Connect("phone", phone.getRef(), r)).reply();
    assertTrue(back.accepted() && back.added(), "forgotten meanwhile: pushes may have been dropped");
    assertEquals(first.incarnation(), back.incarnation());
  }

  @Test
  void deliveriesReachEveryConnectedDeviceInOrderAndStopAtDisconnect() {
    var s = session("bob");
    TestProbe<UserSession.ToConnection> phone = testKit.createTestProbe();
    TestProbe<UserSession.ToConnection> laptop = testKit.createTestProbe();
    s.<UserSession.Registered>runCommand(r -> new UserSession.Connect("phone", phone.getRef(), r));
    s.<UserSession.Registered>runCommand(r -> new UserSession.Connect("laptop", laptop.getRef(), r));

    for (long seq = 2; seq <= 4; seq++) {
      s.runCommand(new UserSession.Deliver(message("g:1", seq)));
    }
    for (long seq = 2; seq <= 4; seq++) {
      assertEquals(seq, seqOf(phone.receiveMessage()));
      assertEquals(seq, seqOf(laptop.receiveMessage()));
    }

    s.runCommand(new UserSession.Disconnect("phone"));
    s.runCommand(new UserSession.Deliver(message("g:1", 5)));
    assertEquals(5, seqOf(laptop.receiveMessage()));
    phone.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void theMessagesOfOneWriteReachTheDevicesInOrderAndCountAsUnreadLikeSingleOnes() {
    // two users in the same place: seq 3 is each one's own message
    java.util.function.Function<String, List<ChatRoom.TimelineEntry>> write = user -> List.of(
        message("g:w", 2, "alice"), message("g:w", 3, user), message("g:w", 4, "bob"));
    var together = session("ivan");
    var oneByOne = session("iris");
    TestProbe<UserSession.ToConnection> phone = testKit.createTestProbe();
    TestProbe<UserSession.ToConnection> tablet = testKit.createTestProbe();
    together.<UserSession.Registered>runCommand(r -> new UserSession.Connect("phone", phone.getRef(), r));
    oneByOne.<UserSession.Registered>runCommand(r -> new UserSession.Connect("tablet", tablet.getRef(), r));
    together.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:w", 1, true), r));
    oneByOne.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:w", 1, true), r));

    together.runCommand(new UserSession.DeliverMessages(write.apply("ivan")));
    write.apply("iris").forEach(entry -> oneByOne.runCommand(new UserSession.Deliver(entry)));
    List<String> toPhone = received(phone);
    assertEquals(received(tablet), toPhone, "the devices hear the same, in the same order");
    assertEquals(List.of("item 2", "item 3", "item 4"), toPhone.stream().filter(m -> m.startsWith("item")).toList());
    // the user's own message reads the room up to it: only bob's counts, either way
    assertEquals(1, reads(together, "g:w").get(0).unread());
    assertEquals(1, reads(oneByOne, "g:w").get(0).unread());
  }

  /** What a device was sent until nothing more came: items by seq, anything else as it is. */
  private static List<String> received(TestProbe<UserSession.ToConnection> device) {
    List<String> messages = new ArrayList<>();
    for (UserSession.ToConnection m : device.receiveSeveralMessages(3)) {
      messages.add(m instanceof UserSession.TimelineUpdate u ? "item " + u.entry().seq() : m.toString());
    }
    while (true) {
      try {
        UserSession.ToConnection m = device.receiveMessage(Duration.ofMillis(300));
        messages.add(m instanceof UserSession.TimelineUpdate u ? "item " + u.entry().seq() : m.toString());
      } catch (AssertionError nothingMore) {
        return messages;
      }
    }
  }

  @Test
  void aWriteOfMessagesCrossesNodesIntact() {
    var command = new UserSession.DeliverMessages(List.of(message("g:w", 7), message("g:w", 8, "bob")));
    new org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit(testKit.system())
        .verifySerialization(command, true);
  }

  @Test
  void onlyPostedMessagesTravelTogether() {
    var joined = new ChatRoom.TimelineEntry("g:w", 5, new ChatRoom.MemberJoined("judy", "alice", 5L));
    assertThrows(IllegalArgumentException.class,
        () -> new UserSession.DeliverMessages(List.of(message("g:w", 4), joined)));
  }

  @Test
  void aDeviceThatDiesIsForgotten() {
    var s = session("carol");
    TestProbe<UserSession.ToConnection> gone = testKit.createTestProbe();
    TestProbe<UserSession.ToConnection> alive = testKit.createTestProbe();
    s.<UserSession.Registered>runCommand(r -> new UserSession.Connect("gone", gone.getRef(), r));
    s.<UserSession.Registered>runCommand(r -> new UserSession.Connect("alive", alive.getRef(), r));
    gone.stop();

    // the entity sees the termination before the next delivery only eventually; deliver until it does
    alive.awaitAssert(Duration.ofSeconds(3), () -> {
      s.runCommand(new UserSession.Deliver(message("g:1", 2)));
      alive.receiveMessage();
      return null;
    });
    // no assertion on the dead probe is possible; the registry must still deliver to the live one
    s.runCommand(new UserSession.Deliver(message("g:1", 3)));
    assertEquals(3, seqOf(alive.receiveMessage()));
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

  static long seqOf(UserSession.ToConnection message) {
    return ((UserSession.TimelineUpdate) message).entry().seq();
  }

  static ChatRoom.TimelineEntry message(String roomId, long seq) {
    return message(roomId, seq, "alice");
  }

  static ChatRoom.TimelineEntry message(String roomId, long seq, String sender) {
    return new ChatRoom.TimelineEntry(roomId, seq, new ChatRoom.MessagePosted(sender, "c" + seq, "hi", seq));
  }

  private static UserSession.DeviceSync open(
      EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> s, String device,
      TestProbe<UserSession.ToConnection> connection) {
    return s.<UserSession.DeviceSync>runCommand(r -> new UserSession.OpenDevice(device, "conn-" + device, connection.getRef(), r)).reply();
  }

  @Test
  void aDeviceIsNewOnceAndItsAcknowledgementsAreKeptAcrossRestarts() throws InterruptedException {
    var s = session("erin", Duration.ofSeconds(3));
    TestProbe<UserSession.ToConnection> phone = testKit.createTestProbe();
    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:1", 1, true), r));
    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:2", 3, true), r));

    var first = open(s, "phone", phone);
    assertTrue(first.isNew());
    assertEquals(2, first.rooms().size());
    assertTrue(!open(s, "phone", phone).isNew());

    for (long seq = 2; seq <= 8; seq++) {
      s.runCommand(new UserSession.Deliver(message("g:1", seq)));
    }
    for (long seq = 4; seq <= 5; seq++) {
      s.runCommand(new UserSession.Deliver(message("g:2", seq)));
    }
    // applied at once (visible to the next open); never beyond what exists, never for rooms the user is not in
    s.<Done>runCommand(r -> new UserSession.AdvanceCursors("phone", java.util.Map.of("g:1", 7L, "g:2", 4L), r));
    s.<Done>runCommand(r -> new UserSession.AdvanceCursors("phone", java.util.Map.of("g:1", 5L, "g:9", 2L), r));
    assertEquals(java.util.Map.of("g:1", 7L, "g:2", 4L), open(s, "phone", phone).cursors());
    s.<Done>runCommand(r -> new UserSession.AdvanceCursors("phone", java.util.Map.of("g:2", 500L), r));
    assertEquals(java.util.Map.of("g:1", 7L, "g:2", 5L), open(s, "phone", phone).cursors());

    // ... journaled lazily, not within the prompt interval of a moved read marker ...
    Thread.sleep(UserSession.FLUSH_INTERVAL.toMillis() + 500);
    assertNull(s.getState().devices().get("phone").cursors().get("g:1"));
    // ... but in one batch within the lazy interval; cursors never move back
    phone.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(java.util.Map.of("g:1", 7L, "g:2", 5L), s.getState().devices().get("phone").cursors());
      return null;
    });
    s.restart();
    assertEquals(java.util.Map.of("g:1", 7L, "g:2", 5L), open(s, "phone", phone).cursors());
  }

  @Test
  void openingADeviceRegistersItsConnectionForDelivery() {
    var s = session("frank");
    TestProbe<UserSession.ToConnection> laptop = testKit.createTestProbe();
    open(s, "laptop", laptop);
    s.runCommand(new UserSession.Deliver(message("g:1", 2)));
    assertEquals(2, seqOf(laptop.receiveMessage()));
  }

  @Test
  void onlyTheMostRecentlySeenDevicesAreRemembered() {
    var s = session("gina");
    TestProbe<UserSession.ToConnection> probe = testKit.createTestProbe();
    for (int i = 0; i <= UserSession.MAX_DEVICES; i++) {
      open(s, "device-" + i, probe);
    }
    assertEquals(UserSession.MAX_DEVICES, s.getState().devices().size());
    assertTrue(!s.getState().devices().containsKey("device-0"));
    // a forgotten device that returns is known (it replays from joining), not new
    assertTrue(!open(s, "device-0", probe).isNew());
    assertTrue(open(s, "never-seen", probe).isNew());
  }

  private static List<UserSession.ReadState> reads(
      EventSourcedBehaviorTestKit<UserSession.Command, UserSession.Event, UserSession.State> s, String roomId) {
    return java.util.Optional.ofNullable(
        s.<UserSession.RoomList>runCommand(UserSession.ListRooms::new).reply().reads().get(roomId)).stream().toList();
  }

  @Test
  void unreadCountsMessagesFromOthersAndReadingOnOneDeviceTellsTheOthers() {
    var s = session("hank");
    TestProbe<UserSession.ToConnection> phone = testKit.createTestProbe();
    TestProbe<UserSession.ToConnection> laptop = testKit.createTestProbe();
    s.<UserSession.Registered>runCommand(r -> new UserSession.Connect("phone", phone.getRef(), r));
    s.<UserSession.Registered>runCommand(r -> new UserSession.Connect("laptop", laptop.getRef(), r));
    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:u", 1, true), r));
    s.runCommand(new UserSession.Deliver(message("g:u", 2, "alice")));
    s.runCommand(new UserSession.Deliver(message("g:u", 3, "alice")));
    s.runCommand(new UserSession.Deliver(message("g:u", 4, "bob")));
    assertEquals(3, reads(s, "g:u").get(0).unread());

    var marked = s.<UserSession.ReadReply>runCommand(r -> new UserSession.MarkRead("g:u", 4, r)).reply();
    assertEquals(new UserSession.ReadMarked("g:u", 4, 0), marked);
    phone.fishForMessage(Duration.ofSeconds(3), m -> m instanceof UserSession.ReadMarkerMoved
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    laptop.fishForMessage(Duration.ofSeconds(3), m -> m.equals(new UserSession.ReadMarkerMoved("g:u", 4, 0))
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());

    // the user's own message reads the room
    s.runCommand(new UserSession.Deliver(message("g:u", 5, "alice")));
    s.runCommand(new UserSession.Deliver(message("g:u", 6, "hank")));
    assertEquals(new UserSession.ReadState(6, 6, 0), reads(s, "g:u").get(0));

    var notMine = s.<UserSession.ReadReply>runCommand(r -> new UserSession.MarkRead("g:other", 4, r)).reply();
    assertInstanceOf(UserSession.NotAMember.class, notMine);
  }

  @Test
  void missedItemsAndPartialReadsAreRecountedFromTheJournalAndSurviveARestart() {
    var s = session("ivy");
    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:r", 1, true), r));
    s.runCommand(new UserSession.Deliver(message("g:r", 2, "alice")));
    // 3..8 never reached the session; the fake journal has messages at 3, 5, 7, 9
    s.runCommand(new UserSession.Deliver(message("g:r", 9, "alice")));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      // 2 was counted; the recount of (1, 9] finds 3, 5, 7, 9
      assertEquals(new UserSession.ReadState(1, 9, 4), reads(s, "g:r").get(0));
      return null;
    });
    var partial = s.<UserSession.ReadReply>runCommand(r -> new UserSession.MarkRead("g:r", 5, r)).reply();
    assertEquals(5, ((UserSession.ReadMarked) partial).seq());
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(new UserSession.ReadState(5, 9, 2), reads(s, "g:r").get(0)); // 7 and 9
      assertEquals(new UserSession.ReadState(5, 9, 2), s.getState().reads().get("g:r")); // journaled
      return null;
    });
    s.restart();
    assertEquals(new UserSession.ReadState(5, 9, 2), reads(s, "g:r").get(0));
  }

  @Test
  void countsLostInACrashAreRecountedFromWhereTheRoomsEnd() {
    var s = session("lena");
    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:crash", 1, true), r));
    s.runCommand(new UserSession.Deliver(message("g:crash", 2, "alice")));
    s.runCommand(new UserSession.Deliver(message("g:crash", 3, "alice")));
    assertEquals(new UserSession.ReadState(1, 3, 2), reads(s, "g:crash").get(0));
    // counting is journaled only at a clean stop, but that counts are pending is journaled at once
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      assertTrue(s.getState().countsUnsaved());
      return null;
    });
    assertNull(s.getState().reads().get("g:crash"));

    s.restart(); // a crash: no stop message, nothing flushed
    ChatRoom.AuthorizeRead asked = fishAsk("lena", "g:crash");
    asked.replyTo().tell(new ChatRoom.ReadAllowed(7));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      // the fake journal has messages from others at 3, 5 and 7 after the join at 1
      assertEquals(new UserSession.ReadState(1, 7, 3), reads(s, "g:crash").get(0));
      return null;
    });
  }

  /** The next AuthorizeRead {@code user}'s session sends to the rooms, skipping everything else. */
  private static ChatRoom.AuthorizeRead fishAsk(String user, String roomId) {
    List<ChatRoom.Command> seen = roomsProbe.fishForMessage(Duration.ofSeconds(3), m -> m instanceof ChatRoom.AuthorizeRead a
        && a.requester().equals(user)
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    return (ChatRoom.AuthorizeRead) seen.get(seen.size() - 1);
  }

  @Test
  void acknowledgementsAndReadsAreReportedToTheRoomAndReceiptsReachTheConnections() {
    var s = session("jill");
    TestProbe<UserSession.ToConnection> phone = testKit.createTestProbe();
    s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:rc", 1, true), r));
    open(s, "phone", phone);
    roomsProbe.receiveSeveralMessages(0);

    for (long seq = 2; seq <= 4; seq++) {
      s.runCommand(new UserSession.Deliver(message("g:rc", seq)));
    }
    s.<Done>runCommand(r -> new UserSession.AdvanceCursors("phone", java.util.Map.of("g:rc", 4L), r));
    assertEquals(new ChatRoom.MemberProgress("jill", 4, 1), fishProgress());
    s.<UserSession.ReadReply>runCommand(r -> new UserSession.MarkRead("g:rc", 3, r));
    assertEquals(new ChatRoom.MemberProgress("jill", 4, 3), fishProgress());

    // a restarted room asks again, and gets the same answer
    s.runCommand(new UserSession.ReportProgress("g:rc"));
    assertEquals(new ChatRoom.MemberProgress("jill", 4, 3), fishProgress());

    // the room sends every member the same batch: jill's own receipt is not passed on to her devices
    var receipt = new ChatRoom.Receipt("g:rc", "kim", 5, 5);
    s.runCommand(new UserSession.DeliverReceipts("g:rc", List.of(new ChatRoom.Receipt("g:rc", "jill", 4, 3), receipt)));
    phone.fishForMessage(Duration.ofSeconds(3), m -> m.equals(new UserSession.ReceiptUpdate("g:rc", List.of(receipt)))
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
  }

  private static ChatRoom.MemberProgress fishProgress() {
    List<ChatRoom.Command> seen = roomsProbe.fishForMessage(Duration.ofSeconds(3), m -> m instanceof ChatRoom.MemberProgress p
        && p.user().equals("jill")
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    return (ChatRoom.MemberProgress) seen.get(seen.size() - 1);
  }

  @Test
  void beingAddedByAnotherMemberRecordsTheRoomFromFanOutAndAsksTheRoomForItsName() {
    var s = session("lena");
    s.runCommand(new UserSession.Deliver(new ChatRoom.TimelineEntry("g:added", 7, new ChatRoom.MemberJoined("lena", "kim", 7L))));
    assertEquals(List.of(new Membership("g:added", ChatRoom.Kind.GROUP, null, null, 7, true)), rooms(s));
    ChatRoom.GetView ask = (ChatRoom.GetView) roomsProbe.fishForMessage(Duration.ofSeconds(3), m -> m instanceof ChatRoom.GetView
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).stream()
        .reduce((a, b) -> b).orElseThrow();
    ask.replyTo().tell(new ChatRoom.RoomReady(new ChatRoom.RoomView("g:added", ChatRoom.Kind.GROUP, "Book club",
        ChatRoom.Visibility.PRIVATE, "kim", 1L, java.util.Map.of("kim", 1L, "lena", 7L), 7, "kim", java.util.Set.of())));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(List.of(new Membership("g:added", ChatRoom.Kind.GROUP, "Book club", null, 7, true)), rooms(s));
      return null;
    });
  }

  @Test
  void theSessionJournalIsSnapshottedSoRecoveryStaysShort() {
    var s = session("mona");
    // two snapshots are kept, and the events that lead up to them; everything older is deleted
    int events = 3 * UserSession.SNAPSHOT_EVERY + 5;
    for (int i = 0; i < events; i++) {
      s.<Done>runCommand(r -> new UserSession.RecordMembership(group("g:" + java.util.UUID.randomUUID(), 1, true), r));
    }
    var journal = org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit.create(testKit.system());
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      int left = journal.persistedInStorage(UserSession.persistenceId("mona").id()).size();
      assertTrue(left <= 2 * UserSession.SNAPSHOT_EVERY + 5, "old events are deleted, " + left + " left");
      return null;
    });
    s.restart();
    assertEquals(events, rooms(s).size());
  }

  @Test
  void aUserCannotOpenMoreConnectionsThanTheLimit() {
    var s = session("nora");
    for (int i = 0; i < MAX_CONNECTIONS; i++) {
      TestProbe<UserSession.ToConnection> probe = testKit.createTestProbe();
      String id = "c" + i;
      assertTrue(s.<UserSession.Registered>runCommand(r -> new UserSession.Connect(id, probe.getRef(), r)).reply().accepted());
    }
    TestProbe<UserSession.ToConnection> oneTooMany = testKit.createTestProbe();
    assertTrue(!s.<UserSession.Registered>runCommand(r -> new UserSession.Connect("c9", oneTooMany.getRef(), r)).reply().accepted());
    assertTrue(!s.<UserSession.DeviceSync>runCommand(r -> new UserSession.OpenDevice("d", "c10", oneTooMany.getRef(), r)).reply().accepted());
    // a registered connection refreshing is never refused
    TestProbe<UserSession.ToConnection> again = testKit.createTestProbe();
    s.runCommand(new UserSession.Disconnect("c0"));
    assertTrue(s.<UserSession.Registered>runCommand(r -> new UserSession.Connect("c0", again.getRef(), r)).reply().accepted());
  }
}
