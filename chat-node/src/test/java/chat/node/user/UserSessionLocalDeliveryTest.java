package chat.node.user;

import static chat.node.user.UserSessionTest.group;
import static chat.node.user.UserSessionTest.message;
import static chat.node.user.UserSessionTest.seqOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.testing.EntityTestKit;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.ReadEvents;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How rooms on a session's own node reach it without sharding ({@link LocalSessions}), when they stop, and
 * what a restart after a journal failure changes for the session's connections.
 */
@ExtendWith(LogCapturingExtension.class)
class UserSessionLocalDeliveryTest {

  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKit.config());
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void journalWorksAgain() {
    journal.resetPolicy();
  }

  private static String user() {
    return "user-" + UUID.randomUUID();
  }

  private static ActorRef<UserSession.Command> spawn(String user, LocalSessions local) {
    TestProbe<chat.node.room.ChatRoom.Command> rooms = testKit.createTestProbe();
    return testKit.spawn(UserSession.create(user, UserSession.persistenceId(user),
        UserSessionTest::countFromFakeJournal, roomId -> rooms.getRef(), 4, local));
  }

  private static TestProbe<UserSession.ToConnection> connect(ActorRef<UserSession.Command> session) {
    TestProbe<UserSession.ToConnection> phone = testKit.createTestProbe();
    TestProbe<UserSession.Registered> registered = testKit.createTestProbe();
    session.tell(new UserSession.Connect("phone", phone.getRef(), registered.getRef()));
    registered.receiveMessage();
    return phone;
  }

  /** The policy for the one session under test; every other session's journal works as usual. */
  private static void journalOf(String user, java.util.function.Function<JournalOperation, ProcessingResult> policy) {
    String id = UserSession.persistenceId(user).id();
    journal.withPolicy((String persistenceId, JournalOperation operation) ->
        persistenceId.equals(id) ? policy.apply(operation) : ProcessingSuccess.getInstance());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Rooms on the session's node tell it directly once it has recovered. Sharding's stop message makes it
   * leave the directory first: a delivery that found it there just before is still handled, not lost to
   * a stopped actor, and after the stop the rooms go through sharding again.
   */
  @Test
  void aTellThatFoundTheSessionBeforeItHandledTheStopIsStillDelivered() throws InterruptedException {
    String user = user();
    var local = new LocalSessions();
    var session = spawn(user, local);
    TestProbe<UserSession.ToConnection> phone = connect(session);

    assertTrue(local.tell(user, new UserSession.Deliver(message("g:1", 2))), "recovered, so registered");
    assertEquals(2, seqOf(phone.receiveMessage()));
    assertFalse(local.tell(user(), new UserSession.Deliver(message("g:1", 2))), "no session of that user here");

    // hold a journal write back, so that the stop message and then a room's tell wait in that order while
    // the session is still registered
    var writing = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    journalOf(user, operation -> {
      if (operation instanceof WriteEvents) {
        writing.countDown();
        await(release);
      }
      return ProcessingSuccess.getInstance();
    });
    TestProbe<Done> recorded = testKit.createTestProbe();
    try {
      session.tell(new UserSession.RecordMembership(group("g:2", 1, true), recorded.getRef()));
      assertTrue(writing.await(3, TimeUnit.SECONDS));
      session.tell(UserSession.Passivate.INSTANCE);
      assertTrue(local.tell(user, new UserSession.Deliver(message("g:1", 3))), "the stop message is not handled yet");
    } finally {
      release.countDown();
    }
    recorded.receiveMessage();
    assertEquals(3, seqOf(phone.receiveMessage()));
    testKit.createTestProbe().expectTerminated(session);
    assertFalse(local.tell(user, new UserSession.Deliver(message("g:1", 4))), "stopped: rooms use sharding");
  }

  @Test
  void aSessionThatStopsUnaskedLeavesTheDirectory() {
    var local = new LocalSessions();
    var session = spawn(user(), local);
    connect(session);
    assertEquals(1, local.size());

    testKit.stop(session);
    assertEquals(0, local.size());
  }

  /** While a journal failure restarts it, rooms go through sharding, which holds what they send meanwhile. */
  @Test
  void aSessionLeavesTheDirectoryWhileItRestartsAndComesBackOnceRecovered() throws InterruptedException {
    String user = user();
    var local = new LocalSessions();
    var session = spawn(user, local);
    connect(session);
    assertEquals(1, local.size());

    var recovering = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    journalOf(user, operation -> {
      if (operation instanceof WriteEvents) {
        return new StorageFailure(new RuntimeException("journal down (test)"));
      }
      if (operation instanceof ReadEvents || operation == org.apache.pekko.persistence.testkit.ReadSeqNum$.MODULE$) {
        recovering.countDown();
        await(release);
      }
      return ProcessingSuccess.getInstance();
    });
    try {
      session.tell(new UserSession.RecordMembership(group("g:1", 1, true), testKit.<Done>createTestProbe().getRef()));
      assertTrue(recovering.await(5, TimeUnit.SECONDS), "restarted and recovering");
      assertEquals(0, local.size(), "not registered while it restarts");
    } finally {
      journal.resetPolicy();
      release.countDown();
    }
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(1, local.size(), "registered again once recovered");
      return null;
    });
  }

  /** The messages a session sends itself through sharding may be carried to another node (a hand-off). */
  @Test
  void theSessionsOwnMessagesThroughShardingCrossNodesIntact() {
    var serialization = new org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit(testKit.system());
    serialization.verifySerialization(UserSession.RegisterLocally.INSTANCE, true);
    serialization.verifySerialization(UserSession.KeepStarted.INSTANCE, true);
  }

  /** Connections learn of a restart from the incarnation they are registered with, and check their rooms. */
  @Test
  void aRestartAfterAJournalFailureIsANewIncarnation() {
    String user = user();
    var session = spawn(user, new LocalSessions());
    TestProbe<UserSession.ToConnection> phone = testKit.createTestProbe();
    TestProbe<UserSession.Registered> registered = testKit.createTestProbe();
    session.tell(new UserSession.Connect("phone", phone.getRef(), registered.getRef()));
    String before = registered.receiveMessage().incarnation();

    journal.failNextPersisted(UserSession.persistenceId(user).id());
    session.tell(new UserSession.RecordMembership(group("g:1", 1, true), testKit.<Done>createTestProbe().getRef()));
    // a refresh sent while the write fails may be dropped with the restart: refresh until one is answered
    registered.awaitAssert(Duration.ofSeconds(10), () -> {
      session.tell(new UserSession.Connect("phone", phone.getRef(), registered.getRef()));
      String after = registered.receiveMessage(Duration.ofSeconds(1)).incarnation();
      assertFalse(before.equals(after), "restarted, so a new incarnation");
      return null;
    });
  }

  /** A journal failure between sharding's stop message and the stop does not bring the session back. */
  @Test
  void aSessionAskedToStopStopsAfterARestartInsteadOfRegisteringAgain() throws InterruptedException {
    String user = user();
    var local = new LocalSessions();
    var session = spawn(user, local);
    connect(session);
    TestProbe<Done> done = testKit.createTestProbe();
    session.tell(new UserSession.RecordMembership(group("g:1", 1, true), done.getRef()));
    done.receiveMessage();
    // an acknowledgement is journaled lazily: at the latest when the session stops
    session.tell(new UserSession.AdvanceCursors("phone", java.util.Map.of("g:1", 1L), done.getRef()));
    done.receiveMessage();

    var failed = new CountDownLatch(1);
    journalOf(user, operation -> {
      if (operation instanceof WriteEvents && failed.getCount() > 0) {
        failed.countDown();
        return new StorageFailure(new RuntimeException("journal down (test)"));
      }
      return ProcessingSuccess.getInstance();
    });
    session.tell(UserSession.Passivate.INSTANCE);
    assertTrue(failed.await(5, TimeUnit.SECONDS), "the stop's write failed");
    testKit.createTestProbe().expectTerminated(session, Duration.ofSeconds(10));
    assertEquals(0, local.size());
  }

  /**
   * With sharding, a recovered session joins the directory only when a message it sent itself through
   * sharding comes back, and reminds sharding of itself while rooms here keep it busy.
   */
  @Test
  void withShardingTheSessionRegistersBehindWhatShardingCarriesAndKeepsItselfStarted() {
    String user = user();
    var local = new LocalSessions(Duration.ZERO);
    TestProbe<ShardingEnvelope<UserSession.Command>> region = testKit.createTestProbe();
    local.routeThrough(region.getRef());
    var session = spawn(user, local);
    TestProbe<UserSession.ToConnection> phone = connect(session);

    ShardingEnvelope<UserSession.Command> marker = region.receiveMessage();
    assertEquals(user, marker.entityId());
    assertEquals(UserSession.RegisterLocally.INSTANCE, marker.message());
    assertFalse(local.tell(user, new UserSession.Deliver(message("g:1", 2))), "not before the marker is back");

    session.tell(marker.message());
    region.awaitAssert(() -> {
      assertEquals(1, local.size());
      return null;
    });
    assertTrue(local.tell(user, new UserSession.Deliver(message("g:1", 2))));
    assertEquals(2, seqOf(phone.receiveMessage()));
    ShardingEnvelope<UserSession.Command> reminder = region.receiveMessage();
    assertEquals(user, reminder.entityId());
    assertEquals(UserSession.KeepStarted.INSTANCE, reminder.message());
  }
}
