package chat.node.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.room.ChatRoom.Visibility;
import chat.node.testing.EntityTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sends that reach a room while it writes go to the journal together in its next write (a group commit),
 * and yet every send is answered with its own seq, in the order the room took them up, and fanned out in
 * that order; a command that writes something else goes after the sends taken up before it.
 */
@ExtendWith(LogCapturingExtension.class)
class ChatRoomGroupCommitTest {

  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKit.config());
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private final List<List<Object>> writes = new CopyOnWriteArrayList<>();
  private final List<Long> fannedOutSeqs = new CopyOnWriteArrayList<>();
  /** How many messages each fan-out of posted messages carried. */
  private final List<Integer> messageFanOuts = new CopyOnWriteArrayList<>();

  private ActorRef<ChatRoom.Command> room(String id) {
    journal.withPolicy((String persistenceId, JournalOperation operation) -> {
      if (operation instanceof WriteEvents write && persistenceId.endsWith(id)) {
        writes.add(List.copyOf(write.getBatch()));
      }
      return ProcessingSuccess.getInstance();
    });
    MemberSessions members = new MemberSessions() {
      @Override
      public void deliver(Collection<String> users, ChatRoom.TimelineEntry entry) {
        fannedOutSeqs.add(entry.seq());
      }

      @Override
      public void deliverMessages(Collection<String> users, List<ChatRoom.TimelineEntry> messages) {
        messageFanOuts.add(messages.size());
        messages.forEach(entry -> fannedOutSeqs.add(entry.seq()));
      }

      @Override
      public void receipts(Collection<String> users, String roomId, List<ChatRoom.Receipt> receipts) {}

      @Override
      public void requestProgress(Collection<String> users, String roomId) {}

      @Override
      public void typing(Collection<String> users, String roomId, String user, boolean active) {}
    };
    return testKit.spawn(ChatRoom.create(id, ChatRoom.persistenceId(id), members, new RoomSettings(4, 1000)));
  }

  @Test
  void sendsThatArriveTogetherAreWrittenTogetherAndAnsweredInOrder() {
    var room = room("g:burst");
    TestProbe<ChatRoom.RoomReply> created = testKit.createTestProbe();
    room.tell(new ChatRoom.CreateGroup("alice", "team", Visibility.PRIVATE, List.of("bob"), created.ref()));
    created.expectMessageClass(ChatRoom.RoomReady.class);

    int sends = 60;
    List<TestProbe<ChatRoom.PostReply>> probes = new ArrayList<>();
    for (int i = 0; i < sends; i++) {
      TestProbe<ChatRoom.PostReply> probe = testKit.createTestProbe();
      probes.add(probe);
      room.tell(new ChatRoom.Post(i % 2 == 0 ? "alice" : "bob", "m-" + i, "hello " + i, probe.ref()));
    }
    // a retry of a send that may still be pending: the same seq as the first
    TestProbe<ChatRoom.PostReply> retry = testKit.createTestProbe();
    room.tell(new ChatRoom.Post("bob", "m-59", "hello 59", retry.ref()));

    for (int i = 0; i < sends; i++) {
      var accepted = assertInstanceOf(ChatRoom.Accepted.class, probes.get(i).receiveMessage(Duration.ofSeconds(5)));
      assertEquals(2 + i, accepted.seq(), "send " + i + " gets the seq of its turn");
    }
    ChatRoom.PostReply again = retry.receiveMessage(Duration.ofSeconds(5));
    assertEquals(61, again instanceof ChatRoom.Accepted a ? a.seq() : ((ChatRoom.Duplicate) again).seq());

    List<List<Object>> messageWrites = writes.subList(1, writes.size()); // after the room's creation
    assertEquals(sends, messageWrites.stream().mapToInt(List::size).sum(), "each send written once");
    assertTrue(messageWrites.size() < sends, "some sends shared a write: " + messageWrites.size() + " writes");
    assertTrue(messageWrites.stream().allMatch(w -> w.size() <= ChatRoom.MAX_POSTS_PER_WRITE));
    List<Long> expected = new ArrayList<>();
    for (long seq = 1; seq <= 1 + sends; seq++) {
      expected.add(seq);
    }
    assertEquals(expected, fannedOutSeqs, "fanned out once each, in seq order");
    assertEquals(messageWrites.stream().map(List::size).toList(), messageFanOuts,
        "one fan-out per write, carrying the whole write");
  }

  @Test
  void aCommandThatWritesSomethingElseGoesAfterTheSendsTakenUpBeforeIt() {
    var room = room("g:order");
    TestProbe<ChatRoom.RoomReply> replies = testKit.createTestProbe();
    room.tell(new ChatRoom.CreateGroup("alice", "team", Visibility.PRIVATE, List.of("bob"), replies.ref()));
    replies.expectMessageClass(ChatRoom.RoomReady.class);

    TestProbe<ChatRoom.PostReply> posts = testKit.createTestProbe();
    for (int i = 0; i < 5; i++) {
      room.tell(new ChatRoom.Post("alice", "m-" + i, "hello " + i, posts.ref()));
    }
    room.tell(new ChatRoom.Rename("alice", "renamed", replies.ref()));
    room.tell(new ChatRoom.Post("bob", "after", "after the rename", posts.ref()));

    for (int i = 0; i < 6; i++) {
      assertInstanceOf(ChatRoom.Accepted.class, posts.receiveMessage(Duration.ofSeconds(5)));
    }
    replies.expectMessageClass(ChatRoom.RoomReady.class);
    List<Object> events = writes.stream().flatMap(List::stream).toList();
    assertEquals(8, events.size());
    for (int i = 1; i <= 5; i++) {
      assertEquals("m-" + (i - 1), ((ChatRoom.MessagePosted) events.get(i)).clientMsgId());
    }
    assertInstanceOf(ChatRoom.RoomRenamed.class, events.get(6));
    assertEquals("after", ((ChatRoom.MessagePosted) events.get(7)).clientMsgId());
  }

  @Test
  void sendsTakenUpBeforeTheStopMessageAreWrittenAndAnsweredBeforeTheRoomStops() {
    var room = room("g:stop");
    TestProbe<ChatRoom.RoomReply> created = testKit.createTestProbe();
    room.tell(new ChatRoom.CreateGroup("alice", "team", Visibility.PRIVATE, List.of("bob"), created.ref()));
    created.expectMessageClass(ChatRoom.RoomReady.class);

    TestProbe<ChatRoom.PostReply> posts = testKit.createTestProbe();
    for (int i = 0; i < 5; i++) {
      room.tell(new ChatRoom.Post("alice", "m-" + i, "hello " + i, posts.ref()));
    }
    room.tell(ChatRoom.Stop.INSTANCE); // as sharding does when it passivates or moves the room
    for (int i = 0; i < 5; i++) {
      assertEquals(2 + i, assertInstanceOf(ChatRoom.Accepted.class, posts.receiveMessage(Duration.ofSeconds(5))).seq());
    }
    posts.expectTerminated(room, Duration.ofSeconds(5));
  }

  @Test
  void aFailedWriteLeavesTheRoomTakingSendsAgainAfterItsRestart() {
    var room = room("g:failure");
    TestProbe<ChatRoom.RoomReply> created = testKit.createTestProbe();
    room.tell(new ChatRoom.CreateGroup("alice", "team", Visibility.PRIVATE, List.of("bob"), created.ref()));
    created.expectMessageClass(ChatRoom.RoomReady.class);

    journal.failNextPersisted();
    TestProbe<ChatRoom.PostReply> lost = testKit.createTestProbe();
    room.tell(new ChatRoom.Post("alice", "lost", "not written", lost.ref()));
    lost.expectNoMessage(Duration.ofMillis(500)); // the write failed: no answer, the client will retry

    TestProbe<ChatRoom.PostReply> retry = testKit.createTestProbe();
    room.tell(new ChatRoom.Post("alice", "lost", "not written", retry.ref()));
    assertEquals(2, assertInstanceOf(ChatRoom.Accepted.class, retry.receiveMessage(Duration.ofSeconds(10))).seq());
    TestProbe<ChatRoom.PostReply> next = testKit.createTestProbe();
    room.tell(new ChatRoom.Post("bob", "next", "after the failure", next.ref()));
    assertEquals(3, assertInstanceOf(ChatRoom.Accepted.class, next.receiveMessage(Duration.ofSeconds(5))).seq());
  }
}
