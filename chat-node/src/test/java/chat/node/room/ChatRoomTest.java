package chat.node.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.room.ChatRoom.Accepted;
import chat.node.room.ChatRoom.Duplicate;
import chat.node.room.ChatRoom.Kind;
import chat.node.room.ChatRoom.Rejected;
import chat.node.room.ChatRoom.Rejection;
import chat.node.room.ChatRoom.RoomReady;
import chat.node.room.ChatRoom.Visibility;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import chat.node.testing.EntityTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The room's rules, with the in-memory journal. The test kit also round-trips every command, reply,
 * event and state through the configured serializer (Jackson CBOR).
 */
@ExtendWith(LogCapturingExtension.class)
class ChatRoomTest {

  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKit.config());

  private static final RoomSettings SETTINGS = new RoomSettings(4, 3);

  private final ConcurrentLinkedQueue<Delivery> fannedOut = new ConcurrentLinkedQueue<>();

  private final ConcurrentLinkedQueue<ReceiptSent> receiptsSent = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Set<String>> progressRequested = new ConcurrentLinkedQueue<>();

  record Delivery(Set<String> users, ChatRoom.TimelineEntry entry) {}

  record ReceiptSent(Set<String> users, List<ChatRoom.Receipt> receipts) {}

  record TypingSent(Set<String> users, String user, boolean active) {}

  private final ConcurrentLinkedQueue<TypingSent> typingSent = new ConcurrentLinkedQueue<>();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void clear() {
    fannedOut.clear();
    receiptsSent.clear();
    progressRequested.clear();
    typingSent.clear();
  }

  private EventSourcedBehaviorTestKit<ChatRoom.Command, ChatRoom.Event, ChatRoom.State> room(String id) {
    MemberSessions members = new MemberSessions() {
      @Override
      public void deliver(java.util.Collection<String> users, ChatRoom.TimelineEntry entry) {
        fannedOut.add(new Delivery(Set.copyOf(users), entry));
      }

      @Override
      public void receipts(java.util.Collection<String> users, String roomId, List<ChatRoom.Receipt> receipts) {
        receiptsSent.add(new ReceiptSent(Set.copyOf(users), receipts));
      }

      @Override
      public void requestProgress(java.util.Collection<String> users, String roomId) {
        progressRequested.add(Set.copyOf(users));
      }

      @Override
      public void typing(java.util.Collection<String> users, String roomId, String user, boolean active) {
        typingSent.add(new TypingSent(Set.copyOf(users), user, active));
      }
    };
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        ChatRoom.create(id, ChatRoom.persistenceId(id), members, SETTINGS));
  }

  private static RoomReady ready(Object reply) {
    return assertInstanceOf(RoomReady.class, reply);
  }

  private static Rejection rejection(Object reply) {
    return assertInstanceOf(Rejected.class, reply).reason();
  }

  private static CommandResultWithReply<ChatRoom.Command, ChatRoom.Event, ChatRoom.State, ChatRoom.RoomReply> createGroup(
      EventSourcedBehaviorTestKit<ChatRoom.Command, ChatRoom.Event, ChatRoom.State> room, String creator,
      Visibility visibility, String... members) {
    return room.runCommand(r -> new ChatRoom.CreateGroup(creator, "team", visibility, List.of(members), r));
  }

  private static ChatRoom.PostReply post(
      EventSourcedBehaviorTestKit<ChatRoom.Command, ChatRoom.Event, ChatRoom.State> room, String sender, String clientMsgId) {
    return room.<ChatRoom.PostReply>runCommand(r -> new ChatRoom.Post(sender, clientMsgId, "hello " + clientMsgId, r)).reply();
  }

  @Test
  void creatingAGroupIsSeqOneAndReachesEveryMember() {
    var room = room("g:create");
    var result = createGroup(room, "alice", Visibility.PRIVATE, "bob", "carol");

    var view = ready(result.reply()).view();
    assertEquals(Kind.GROUP, view.kind());
    assertEquals(Set.of("alice", "bob", "carol"), view.members().keySet());
    assertEquals(1, view.lastSeq());
    assertInstanceOf(ChatRoom.RoomCreated.class, result.event());
    Delivery delivery = fannedOut.poll();
    assertEquals(Set.of("alice", "bob", "carol"), delivery.users());
    assertEquals(1, delivery.entry().seq());
  }

  @Test
  void sendsGetGapFreeIncreasingSeqsAndAreFannedOutInOrder() {
    var room = room("g:seq");
    createGroup(room, "alice", Visibility.PRIVATE, "bob");
    fannedOut.clear();

    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      seqs.add(assertInstanceOf(Accepted.class, post(room, i % 2 == 0 ? "alice" : "bob", "m" + i)).seq());
    }

    assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), seqs);
    assertEquals(seqs, fannedOut.stream().map(d -> d.entry().seq()).toList());
    assertTrue(fannedOut.stream().allMatch(d -> d.users().equals(Set.of("alice", "bob"))));
  }

  @Test
  void aRetriedSendReturnsTheOriginalSeqAndAppendsNothing() {
    var room = room("g:dedup");
    createGroup(room, "alice", Visibility.PRIVATE, "bob");
    Accepted first = assertInstanceOf(Accepted.class, post(room, "alice", "same"));
    post(room, "bob", "other");

    var retry = room.<ChatRoom.PostReply>runCommand(r -> new ChatRoom.Post("alice", "same", "hello same", r));

    assertTrue(retry.hasNoEvents());
    assertEquals(new Duplicate(first.seq(), first.ts()), retry.reply());
    // the same clientMsgId from another sender is another message
    assertInstanceOf(Accepted.class, post(room, "bob", "same"));
  }

  @Test
  void theDedupWindowAndSeqSurviveARestart() {
    var room = room("g:restart");
    createGroup(room, "alice", Visibility.PRIVATE, "bob");
    for (int i = 0; i < 7; i++) {
      post(room, "alice", "m" + i); // with snapshot-every 3, recovery uses a snapshot plus events
    }
    Accepted m7 = assertInstanceOf(Accepted.class, post(room, "alice", "m7"));

    room.restart();

    assertEquals(new Duplicate(m7.seq(), m7.ts()), post(room, "alice", "m7"));
    assertEquals(m7.seq() + 1, assertInstanceOf(Accepted.class, post(room, "bob", "after-restart")).seq());
  }

  @Test
  void nonMembersCanNeitherPostNorReadNorLearnTheRoomExists() {
    var room = room("g:members");
    createGroup(room, "alice", Visibility.PRIVATE, "bob");

    var posted = room.<ChatRoom.PostReply>runCommand(r -> new ChatRoom.Post("mallory", "x", "hi", r));
    assertTrue(posted.hasNoEvents());
    assertEquals(Rejection.NOT_MEMBER, rejection(posted.reply()));
    assertEquals(Rejection.NOT_MEMBER, rejection(room.<ChatRoom.ReadReply>runCommand(r -> new ChatRoom.AuthorizeRead("mallory", r)).reply()));
    assertEquals(Rejection.NOT_MEMBER, rejection(room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.GetView("mallory", r)).reply()));
    // a private room answers a join like a missing one
    assertEquals(Rejection.NOT_FOUND, rejection(room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.Join("mallory", r)).reply()));
    assertEquals(new ChatRoom.ReadAllowed(1), room.<ChatRoom.ReadReply>runCommand(r -> new ChatRoom.AuthorizeRead("bob", r)).reply());
  }

  @Test
  void aRoomThatDoesNotExistAnswersLikeOneYouAreNotIn() {
    var room = room("g:nothing");
    assertEquals(Rejection.NOT_MEMBER, rejection(post(room, "alice", "x")));
    assertEquals(Rejection.NOT_MEMBER, rejection(room.<ChatRoom.ReadReply>runCommand(r -> new ChatRoom.AuthorizeRead("alice", r)).reply()));
    assertEquals(Rejection.NOT_FOUND, rejection(room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.Join("alice", r)).reply()));
    assertInstanceOf(ChatRoom.Empty.class, room.getState());
  }

  @Test
  void publicRoomsCanBeJoinedAndMembersCanAddOthers() {
    var room = room("g:public");
    createGroup(room, "alice", Visibility.PUBLIC);

    var joined = room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.Join("bob", r));
    assertEquals(new ChatRoom.MemberJoined("bob", "bob", ((ChatRoom.MemberJoined) joined.event()).ts()), joined.event());
    assertEquals(2L, ready(joined.reply()).view().members().get("bob"));

    var rejoined = room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.Join("bob", r));
    assertTrue(rejoined.hasNoEvents());

    var added = room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.AddMember("bob", "carol", r));
    assertEquals("bob", ((ChatRoom.MemberJoined) added.event()).by());
    assertEquals(Set.of("alice", "bob", "carol"), ready(added.reply()).view().members().keySet());

    var byOutsider = room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.AddMember("mallory", "eve", r));
    assertEquals(Rejection.NOT_MEMBER, rejection(byOutsider.reply()));
  }

  @Test
  void aGroupCannotGrowPastItsLimit() {
    var room = room("g:full");
    createGroup(room, "alice", Visibility.PUBLIC, "b", "c", "d");
    assertEquals(Rejection.ROOM_FULL, rejection(room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.Join("e", r)).reply()));
    assertEquals(Rejection.ROOM_FULL, rejection(room("g:too-big").<ChatRoom.RoomReply>runCommand(
        r -> new ChatRoom.CreateGroup("a", "x", Visibility.PRIVATE, List.of("b", "c", "d", "e"), r)).reply()));
  }

  @Test
  void leavingEndsMembershipAndTheLeaverHearsAboutIt() {
    var room = room("g:leave");
    createGroup(room, "alice", Visibility.PRIVATE, "bob");
    fannedOut.clear();

    var left = room.<ChatRoom.LeaveReply>runCommand(r -> new ChatRoom.Leave("bob", r));

    assertEquals(new ChatRoom.Left(2), left.reply());
    assertEquals(Set.of("alice", "bob"), fannedOut.poll().users());
    assertEquals(Rejection.NOT_MEMBER, rejection(post(room, "bob", "late")));
    assertEquals(Rejection.NOT_MEMBER, rejection(room.<ChatRoom.LeaveReply>runCommand(r -> new ChatRoom.Leave("bob", r)).reply()));
  }

  @Test
  void creatingAgainIsIdempotentForTheCreatorOnly() {
    var room = room("g:again");
    createGroup(room, "alice", Visibility.PRIVATE, "bob");

    var retry = createGroup(room, "alice", Visibility.PRIVATE, "bob");
    assertTrue(retry.hasNoEvents());
    assertEquals(1, ready(retry.reply()).view().lastSeq());
    assertEquals(Rejection.ROOM_EXISTS, rejection(createGroup(room, "bob", Visibility.PRIVATE).reply()));
  }

  @Test
  void aDmHasExactlyItsTwoPartiesAndFixedMembership() {
    String id = RoomIds.dm("bob", "alice");
    var room = room(id);

    var opened = room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.OpenDm("bob", "alice", r));
    assertEquals(Set.of("alice", "bob"), ready(opened.reply()).view().members().keySet());
    assertEquals(Kind.DM, ready(opened.reply()).view().kind());

    var reopened = room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.OpenDm("alice", "bob", r));
    assertTrue(reopened.hasNoEvents());
    assertEquals(Rejection.WRONG_KIND, rejection(room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.AddMember("alice", "carol", r)).reply()));
    assertEquals(Rejection.WRONG_KIND, rejection(room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.Join("carol", r)).reply()));
    assertEquals(Rejection.WRONG_KIND, rejection(room.<ChatRoom.LeaveReply>runCommand(r -> new ChatRoom.Leave("alice", r)).reply()));
    assertEquals(Rejection.WRONG_KIND, rejection(room.<ChatRoom.RoomReply>runCommand(
        r -> new ChatRoom.CreateGroup("alice", "x", Visibility.PRIVATE, List.of(), r)).reply()));
  }

  @Test
  void aDmCannotBeOpenedUnderSomeoneElsesId() {
    var room = room(RoomIds.dm("alice", "bob"));
    var opened = room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.OpenDm("mallory", "alice", r));
    assertEquals(Rejection.WRONG_KIND, rejection(opened.reply()));
    assertTrue(opened.hasNoEvents());
  }

  @Test
  void membersProgressBecomesReceiptsForEveryMemberAndCountsPerItem() {
    var room = room("g:receipts");
    createGroup(room, "alice", Visibility.PRIVATE, "bob", "carol");
    post(room, "alice", "m1"); // seq 2
    post(room, "alice", "m2"); // seq 3

    room.runCommand(new ChatRoom.MemberProgress("bob", 3, 2));
    room.runCommand(new ChatRoom.MemberProgress("carol", 2, 0));
    room.runCommand(new ChatRoom.MemberProgress("carol", 2, 0)); // no change, no push
    room.runCommand(new ChatRoom.MemberProgress("mallory", 3, 3)); // not a member: ignored

    // alice reading up to her own latest message is implied by the message itself: not pushed
    room.runCommand(new ChatRoom.MemberProgress("alice", 3, 3));

    // bob's change goes out at once; carol's, right after it, waits for the batch interval
    Set<String> everyone = Set.of("alice", "bob", "carol");
    assertEquals(List.of(new ReceiptSent(everyone, List.of(new ChatRoom.Receipt("g:receipts", "bob", 3, 2)))),
        List.copyOf(receiptsSent));
    awaitReceiptBatches(2);
    assertEquals(new ReceiptSent(everyone, List.of(new ChatRoom.Receipt("g:receipts", "carol", 2, 0))),
        List.copyOf(receiptsSent).get(1));

    var receipts = assertInstanceOf(ChatRoom.Receipts.class,
        room.<ChatRoom.ReceiptsReply>runCommand(r -> new ChatRoom.GetReceipts("alice", 3L, r)).reply());
    assertEquals(new ChatRoom.Receipts(List.of(
        new ChatRoom.Receipt("g:receipts", "alice", 3, 3),
        new ChatRoom.Receipt("g:receipts", "bob", 3, 2),
        new ChatRoom.Receipt("g:receipts", "carol", 2, 0)), 3L, 2, 1, 0), receipts);
    assertEquals(Rejection.NOT_MEMBER, rejection(room.<ChatRoom.ReceiptsReply>runCommand(
        r -> new ChatRoom.GetReceipts("mallory", null, r)).reply()));
  }

  @Test
  void receiptChangesWithinTheBatchIntervalGoOutTogetherWithTheLatestOfEach() throws InterruptedException {
    var room = room("g:batched");
    createGroup(room, "alice", Visibility.PRIVATE, "bob", "carol");
    post(room, "alice", "m1"); // seq 2
    post(room, "alice", "m2"); // seq 3
    room.runCommand(new ChatRoom.MemberProgress("bob", 2, 0)); // sent at once
    room.runCommand(new ChatRoom.MemberProgress("carol", 2, 0)); // held
    room.runCommand(new ChatRoom.MemberProgress("bob", 3, 3)); // held, replaces bob's earlier one
    awaitReceiptBatches(2);
    assertEquals(List.of(new ChatRoom.Receipt("g:batched", "carol", 2, 0), new ChatRoom.Receipt("g:batched", "bob", 3, 3)),
        List.copyOf(receiptsSent).get(1).receipts());

    // quiet for longer than the interval: the next change goes out at once again
    Thread.sleep(ChatRoom.RECEIPT_BATCH_INTERVAL.toMillis() * 3);
    assertEquals(2, receiptsSent.size(), "nothing was held back");
    room.runCommand(new ChatRoom.MemberProgress("carol", 3, 3));
    assertEquals(3, receiptsSent.size());
    assertEquals(List.of(new ChatRoom.Receipt("g:batched", "carol", 3, 3)), List.copyOf(receiptsSent).get(2).receipts());
  }

  private void awaitReceiptBatches(int count) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
    while (receiptsSent.size() < count && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    assertEquals(count, receiptsSent.size(), "receipt batches sent");
  }

  @Test
  void aRestartedRoomAsksItsMembersForTheirProgress() {
    var room = room("g:rebuild");
    createGroup(room, "alice", Visibility.PRIVATE, "bob");
    progressRequested.clear();
    room.restart();
    assertEquals(List.of(Set.of("alice", "bob")), List.copyOf(progressRequested));
  }

  @Test
  void typingGoesToTheOtherMembersThrottledAndEndsWithStopOrMessage() {
    var room = room("g:typing");
    createGroup(room, "alice", Visibility.PRIVATE, "bob", "carol");
    var noted = room.<ChatRoom.TypingReply>runCommand(r -> new ChatRoom.Typing("alice", true, r));
    assertInstanceOf(ChatRoom.TypingNoted.class, noted.reply());
    assertTrue(noted.hasNoEvents(), "typing is never journaled");
    // a flood of refreshes within the throttle interval is not passed on
    for (int i = 0; i < 20; i++) {
      room.<ChatRoom.TypingReply>runCommand(r -> new ChatRoom.Typing("alice", true, r));
    }
    room.<ChatRoom.TypingReply>runCommand(r -> new ChatRoom.Typing("alice", false, r));
    room.<ChatRoom.TypingReply>runCommand(r -> new ChatRoom.Typing("alice", false, r));
    assertEquals(List.of(
            new TypingSent(Set.of("bob", "carol"), "alice", true),
            new TypingSent(Set.of("bob", "carol"), "alice", false)),
        List.copyOf(typingSent));
    assertEquals(Rejection.NOT_MEMBER, rejection(room.<ChatRoom.TypingReply>runCommand(
        r -> new ChatRoom.Typing("mallory", true, r)).reply()));
  }

  private static ChatRoom.RoomReply command(
      EventSourcedBehaviorTestKit<ChatRoom.Command, ChatRoom.Event, ChatRoom.State> room,
      java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<ChatRoom.RoomReply>, ChatRoom.Command> command) {
    return room.<ChatRoom.RoomReply>runCommand(command::apply).reply();
  }

  @Test
  void ownersAndAdminsKeepAPrivateRoomsDoorAndMembersCannot() {
    var room = room("g:roles");
    createGroup(room, "alice", Visibility.PRIVATE, "bob", "carol");
    assertEquals(Rejection.FORBIDDEN, rejection(command(room, r -> new ChatRoom.AddMember("bob", "dave", r))));
    assertEquals(Rejection.FORBIDDEN, rejection(command(room, r -> new ChatRoom.Rename("bob", "Bob's", r))));
    assertEquals(Rejection.FORBIDDEN, rejection(command(room, r -> new ChatRoom.SetRole("bob", "carol", ChatRoom.Role.ADMIN, r))));
    assertEquals(Rejection.FORBIDDEN, rejection(command(room, r -> new ChatRoom.RemoveMember("bob", "carol", r))));

    // the owner makes bob an admin; bob can now add, rename and remove members, but not admins or the owner
    var promoted = ready(command(room, r -> new ChatRoom.SetRole("alice", "bob", ChatRoom.Role.ADMIN, r))).view();
    assertEquals(Set.of("bob"), promoted.admins());
    assertEquals("alice", promoted.owner());
    assertEquals(Set.of("alice", "bob", "carol", "dave"), ready(command(room, r -> new ChatRoom.AddMember("bob", "dave", r))).view().members().keySet());
    assertEquals("Renamed", ready(command(room, r -> new ChatRoom.Rename("bob", "Renamed", r))).view().name());
    var removed = room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.RemoveMember("bob", "dave", r));
    assertEquals(new ChatRoom.MemberLeft("dave", "bob", ((ChatRoom.MemberLeft) removed.event()).ts()), removed.event());
    assertInstanceOf(ChatRoom.MemberRemoved.class, removed.reply());
    // removing someone who is not (or no longer) a member changes nothing, and says so
    var again = room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.RemoveMember("bob", "dave", r));
    assertTrue(again.events().isEmpty());
    assertInstanceOf(RoomReady.class, again.reply());
    assertEquals(Rejection.FORBIDDEN, rejection(command(room, r -> new ChatRoom.RemoveMember("bob", "alice", r))));
    ready(command(room, r -> new ChatRoom.SetRole("alice", "carol", ChatRoom.Role.ADMIN, r)));
    assertEquals(Rejection.FORBIDDEN, rejection(command(room, r -> new ChatRoom.RemoveMember("bob", "carol", r))));
    assertInstanceOf(ChatRoom.MemberRemoved.class, command(room, r -> new ChatRoom.RemoveMember("alice", "carol", r)));
  }

  @Test
  void theOwnerHandsOwnershipOnBeforeLeavingAndOnlyTheOwnerDeletes() {
    var room = room("g:owner");
    createGroup(room, "alice", Visibility.PRIVATE, "bob");
    assertEquals(Rejection.FORBIDDEN, rejection(room.<ChatRoom.LeaveReply>runCommand(r -> new ChatRoom.Leave("alice", r)).reply()));
    assertEquals(Rejection.FORBIDDEN, rejection(room.<ChatRoom.DeleteReply>runCommand(r -> new ChatRoom.Delete("bob", r)).reply()));

    var handedOn = ready(command(room, r -> new ChatRoom.SetRole("alice", "bob", ChatRoom.Role.OWNER, r))).view();
    assertEquals("bob", handedOn.owner());
    assertEquals(Set.of("alice"), handedOn.admins());
    assertInstanceOf(ChatRoom.Left.class, room.<ChatRoom.LeaveReply>runCommand(r -> new ChatRoom.Leave("alice", r)).reply());

    fannedOut.clear();
    var deleted = room.<ChatRoom.DeleteReply>runCommand(r -> new ChatRoom.Delete("bob", r));
    // seq 1 created, 2 ownership handed on, 3 alice left, 4 deleted
    assertEquals(new ChatRoom.Deleted(4, List.of("bob")), deleted.reply());
    assertInstanceOf(ChatRoom.RoomDeleted.class, fannedOut.poll().entry().event());
    assertInstanceOf(ChatRoom.Closed.class, deleted.state());
    assertEquals(Rejection.NOT_MEMBER, rejection(post(room, "bob", "after")));
    assertEquals(Rejection.NOT_FOUND, rejection(command(room, r -> new ChatRoom.Join("bob", r))));
    assertEquals(Rejection.ROOM_EXISTS, rejection(createGroup(room, "bob", Visibility.PRIVATE).reply()));
    room.restart();
    assertInstanceOf(ChatRoom.Closed.class, room.getState());
  }

  @Test
  void aDmHasNoOwnerToAdministerIt() {
    var room = room(RoomIds.dm("alice", "bob"));
    room.<ChatRoom.RoomReply>runCommand(r -> new ChatRoom.OpenDm("alice", "bob", r));
    assertEquals(Rejection.WRONG_KIND, rejection(command(room, r -> new ChatRoom.Rename("alice", "x", r))));
    assertEquals(Rejection.WRONG_KIND, rejection(room.<ChatRoom.DeleteReply>runCommand(r -> new ChatRoom.Delete("alice", r)).reply()));
  }
}
