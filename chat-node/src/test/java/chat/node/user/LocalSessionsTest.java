package chat.node.user;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.room.ChatRoom;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class LocalSessionsTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static final UserSession.Command DELIVERY =
      new UserSession.Deliver(new ChatRoom.TimelineEntry("g:1", 2, new ChatRoom.MessagePosted("ann", "c2", "hi", 2)));

  @Test
  void aTellReachesTheRegisteredIncarnationOnly() {
    var local = new LocalSessions();
    TestProbe<UserSession.Command> first = testKit.createTestProbe();
    TestProbe<UserSession.Command> second = testKit.createTestProbe();

    assertFalse(local.tell("ann", DELIVERY), "nothing registered");
    local.register("ann", first.getRef());
    assertTrue(local.tell("ann", DELIVERY));
    first.expectMessage(DELIVERY);

    // the next incarnation registered before the earlier one's late unregistration: that keeps the newer one
    local.register("ann", second.getRef());
    local.unregister("ann", first.getRef());
    assertTrue(local.tell("ann", DELIVERY));
    second.expectMessage(DELIVERY);
    first.expectNoMessage();

    local.unregister("ann", second.getRef());
    assertFalse(local.tell("ann", DELIVERY));
    second.expectNoMessage();
  }
}
